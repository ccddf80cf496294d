/**
 * `esms verify` on several cores (issue 13): the projection's blob is read, hashed and inflated here, cut
 * into parts (a part starts at a block that empties the dictionary: the reader threads' segments do, so
 * parts decode alone), and each part is decoded and counted by a worker thread into an engine of its own.
 * The main thread merges the parts' partial states in part order, which gives the figures of one engine
 * fed the whole projection: the SDK's merge concatenates lists and decides record versions by occurrence,
 * in merge order. Errors are those one thread gives: the first part that fails, in input order, names the
 * line and the reason exactly as `decodeColumnar` does; a cut that is not a dictionary reset (a forged
 * line) makes the caller decode in one piece.
 */
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { ColumnarDecoder, type ColumnarEncoding } from './projection-codec.js';
import type { ComputationLike, ComputeOptions, MergingEngine } from './recompute.js';
import type { FromVerifyWorker, ToVerifyWorker, VerifyWorkerSetup } from './verify-protocol.js';

/**
 * Projection text (uncompressed) each verify thread must have for another to pay for its start (an
 * isolate, the SDK loaded again, one more merge): at M (about 10 MB) one thread is as fast.
 */
export const PROJECTION_BYTES_PER_VERIFY_THREAD = 24 * 1024 * 1024;
/** At most this many verify threads (as for the reader threads of `compute`). */
export const MAX_VERIFY_THREADS = Math.min(4, availableParallelism());
/** Bytes of lines sent to a worker and not yet decoded, beyond which reading waits (bounded memory). */
export const VERIFY_WORKER_BACKLOG_BYTES = 4 * 1024 * 1024;

/** How many threads recompute a projection of `bytes` (uncompressed); 1 means this thread, as before. */
export function verifyThreadsFor(bytes: number, cap = MAX_VERIFY_THREADS): number {
  return Math.max(1, Math.min(cap, Math.floor(bytes / PROJECTION_BYTES_PER_VERIFY_THREAD)));
}

/** What a recomputation in threads gives: the computation and the facts decoded, or `cut` (see above). */
export type ThreadedRecomputation = { computation: ComputationLike; facts: number } | 'cut';

/** The start of a block line that empties the dictionary, as the encoder writes it: `{"n":COUNT,"reset":true,`. */
const RESET_PREFIX = Buffer.from('"reset":true,');
const COUNT_PREFIX = Buffer.from('{"n":');

/**
 * Recomputes a columnar projection with `threads` worker threads. `chunks` are the blob's (hashed by the
 * caller as they pass); the caller catches what this throws, as it does the one-thread recomputation's.
 */
export async function recomputeInThreads(
  chunks: AsyncIterable<Buffer>,
  input: {
    expected: ColumnarEncoding;
    options: ComputeOptions;
    mergingEngine: (options: ComputeOptions) => MergingEngine;
    threads: number;
  },
): Promise<ThreadedRecomputation> {
  // Made first: options it refuses fail here, as the one-thread recomputation fails, before any thread.
  const merged = input.mergingEngine(input.options);
  const header = new ColumnarDecoder({ expected: input.expected });
  const pool = new PartPool(merged, input.options);
  try {
    let lineNumber = 0;
    let part = -1;
    let worker: PoolWorker | undefined;
    for await (const bytes of byteLines(chunks)) {
      lineNumber += 1;
      if (lineNumber === 1) {
        header.line(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8'));
        continue;
      }
      if (pool.stopped) break;
      if (part < 0 || startsDictionary(bytes)) {
        if (worker !== undefined) worker.send({ type: 'end-part', part });
        part += 1;
        worker = pool.workerFor(header.blockVersion, input.threads);
      }
      await worker!.roomFor(bytes.byteLength);
      worker!.send({ type: 'line', part, lineNumber, bytes }, [bytes.buffer as ArrayBuffer]);
    }
    if (lineNumber === 0) header.end();
    if (worker !== undefined && !pool.stopped) worker.send({ type: 'end-part', part });
    return await pool.result(part + 1);
  } finally {
    await pool.close();
  }
}

/** Whether a line starts `{"n":DIGITS,"reset":true,` (checked again by the worker once it is parsed). */
function startsDictionary(line: Uint8Array): boolean {
  if (line.byteLength < COUNT_PREFIX.length + 1 + RESET_PREFIX.length) return false;
  for (let i = 0; i < COUNT_PREFIX.length; i++) if (line[i] !== COUNT_PREFIX[i]) return false;
  let at = COUNT_PREFIX.length;
  while (at < line.byteLength && line[at]! >= 0x30 && line[at]! <= 0x39) at++;
  if (at === COUNT_PREFIX.length || line[at] !== 0x2c) return false;
  at += 1;
  if (at + RESET_PREFIX.length > line.byteLength) return false;
  for (let i = 0; i < RESET_PREFIX.length; i++) if (line[at + i] !== RESET_PREFIX[i]) return false;
  return true;
}

/**
 * The lines of the chunks as bytes without their `\n`, each in a buffer of its own (so it can be
 * transferred to a worker rather than copied). A projection's lines are blocks of a few hundred kB.
 */
async function* byteLines(chunks: AsyncIterable<Buffer>): AsyncGenerator<Uint8Array> {
  let parts: Buffer[] = [];
  let held = 0;
  const take = (last: Buffer): Uint8Array => {
    const line = new Uint8Array(held + last.length);
    let at = 0;
    for (const part of parts) {
      line.set(part, at);
      at += part.length;
    }
    line.set(last, at);
    parts = [];
    held = 0;
    return line;
  };
  for await (const chunk of chunks) {
    let start = 0;
    for (let newline = chunk.indexOf(0x0a); newline !== -1; newline = chunk.indexOf(0x0a, start)) {
      yield take(chunk.subarray(start, newline));
      start = newline + 1;
    }
    if (start < chunk.length) {
      const rest = chunk.subarray(start);
      parts.push(rest);
      held += rest.length;
    }
  }
  if (held > 0) yield take(Buffer.alloc(0));
}

interface PoolWorker {
  send(message: ToVerifyWorker, transfer?: ArrayBuffer[]): void;
  /** Waits until this worker's backlog leaves room for `bytes` more (or the pool stops). */
  roomFor(bytes: number): Promise<void>;
  backlog(): number;
}

/** The workers, the parts they were given and what came back, merged in part order. */
class PartPool {
  private readonly workers: (PoolWorker & { thread: Worker })[] = [];
  /** Partial states that came back before their turn to be merged. */
  private readonly early = new Map<number, { partial: unknown; facts: number }>();
  private nextMerge = 0;
  private facts = 0;
  /** The failures, by part: the first in part order whose parts before it all merged is the outcome. */
  private readonly failures = new Map<number, { message: string; cut: boolean }>();
  /** A thread that stopped by itself (crashed, out of memory): fails the recomputation. */
  private crash: Error | null = null;
  private waiting: (() => void) | null = null;
  stopped = false;

  private closing = false;

  constructor(
    private readonly merged: MergingEngine,
    private readonly options: ComputeOptions,
  ) {}

  /** The worker for a new part: a new one while fewer than `threads` run, then the least behind. */
  workerFor(version: 1 | 2 | 3, threads: number): PoolWorker {
    if (this.workers.length < threads) {
      const worker = this.start({ options: this.options, version });
      this.workers.push(worker);
      return worker;
    }
    let best = this.workers[0]!;
    for (const worker of this.workers) if (worker.backlog() < best.backlog()) best = worker;
    return best;
  }

  private start(setup: VerifyWorkerSetup): PoolWorker & { thread: Worker } {
    const thread = new Worker(workerScript(), { workerData: setup });
    let backlog = 0;
    let room: (() => void) | null = null;
    const wake = (): void => {
      const resolve = room;
      room = null;
      resolve?.();
    };
    thread.on('message', (message: FromVerifyWorker) => {
      switch (message.type) {
        case 'consumed':
          backlog -= message.bytes;
          if (backlog < VERIFY_WORKER_BACKLOG_BYTES) wake();
          return;
        case 'part-done':
          if (message.personKeys.length > 0)
            for (const other of this.workers)
              if (other.thread !== thread) other.send({ type: 'known-persons', keys: message.personKeys });
          this.early.set(message.part, { partial: message.partial, facts: message.facts });
          this.mergeReady();
          this.settle();
          return;
        case 'part-failed':
          this.failures.set(message.part, { message: message.message, cut: message.cut });
          // Every part before this one has been sent whole: nothing after it is needed.
          this.stopped = true;
          this.settle();
          wake();
          return;
      }
    });
    const onStop = (error: Error): void => {
      this.crash ??= error;
      this.stopped = true;
      this.settle();
      wake();
    };
    thread.on('error', (error) => onStop(new Error(`a verify thread failed: ${error.message}`)));
    thread.on('exit', (code) => {
      if (code !== 0 && !this.closing) onStop(new Error(`a verify thread stopped (exit code ${code})`));
    });
    return {
      thread,
      send: (message, transfer = []) => {
        if (message.type === 'line') backlog += message.bytes.byteLength;
        thread.postMessage(message, transfer);
      },
      roomFor: (bytes) => {
        if (this.stopped || backlog + bytes <= VERIFY_WORKER_BACKLOG_BYTES || backlog === 0)
          return Promise.resolve();
        return new Promise<void>((resolve) => {
          room = resolve;
        });
      },
      backlog: () => backlog,
    };
  }

  /** Merges the partial states whose turn has come, in part order, dropping each once merged. */
  private mergeReady(): void {
    for (
      let ready = this.early.get(this.nextMerge);
      ready !== undefined;
      ready = this.early.get(this.nextMerge)
    ) {
      this.early.delete(this.nextMerge);
      if (this.failures.size === 0 && this.crash === null) {
        try {
          this.merged.mergePartial(ready.partial);
        } catch (error) {
          this.failures.set(this.nextMerge, {
            message: error instanceof Error ? error.message : String(error),
            cut: false,
          });
          this.stopped = true;
        }
        this.facts += ready.facts;
      }
      this.nextMerge += 1;
    }
  }

  private settle(): void {
    const resolve = this.waiting;
    this.waiting = null;
    resolve?.();
  }

  /** Waits for the `parts` sent and gives the outcome. */
  async result(parts: number): Promise<ThreadedRecomputation> {
    for (;;) {
      if (this.crash !== null) throw this.crash;
      const first = this.firstFailure();
      if (first !== undefined) {
        if (first.cut) return 'cut';
        throw new Error(first.message);
      }
      if (this.nextMerge >= parts) break;
      await new Promise<void>((resolve) => {
        this.waiting = resolve;
      });
    }
    return { computation: this.merged.finish(), facts: this.facts };
  }

  /** The failure of the first part (in input order) whose earlier parts all merged, if there is one yet. */
  private firstFailure(): { message: string; cut: boolean } | undefined {
    let first: number | undefined;
    for (const part of this.failures.keys()) if (first === undefined || part < first) first = part;
    if (first === undefined) return undefined;
    // Parts before it are still being decoded: one of them may fail first.
    if (this.nextMerge < first) return undefined;
    return this.failures.get(first);
  }

  async close(): Promise<void> {
    this.closing = true;
    await Promise.all(this.workers.map((worker) => worker.thread.terminate()));
  }
}

/**
 * The compiled worker next to this file; from the TypeScript sources (Vitest), the package's built one
 * (`pnpm build` runs before the tests), since a worker thread cannot load TypeScript by itself.
 */
function workerScript(): URL {
  const beside = new URL('./verify-worker.js', import.meta.url);
  const built = new URL('../../dist/evidence/verify-worker.js', import.meta.url);
  const script = existsSync(fileURLToPath(beside)) ? beside : built;
  if (!existsSync(fileURLToPath(script)))
    throw new Error(`the verify thread script is missing (${fileURLToPath(script)}): run pnpm build`);
  return script;
}
