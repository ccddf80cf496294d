/**
 * `esms verify` on several cores (issue 13). The projection's text is shared out by byte ranges, each
 * starting at a block that empties the dictionary (the reader threads' segments all do), so each range
 * decodes alone (verify-ranges.ts). This thread decodes the first range into the engine that gives the
 * figures, while reading, hashing and inflating the whole blob as one thread does; each worker thread reads
 * the blob itself, decodes its range into an engine of its own and hands back its partial state and the
 * digest of the bytes it decoded, which must be those this thread hashed. The partial states are merged in
 * range order: the SDK's merge concatenates lists and decides record versions by occurrence in merge order,
 * so the figures are those of one engine fed the whole projection.
 *
 * Errors are those one thread gives: the first range that fails, in input order, names the line and the
 * reason as `decodeColumnar` does. A range that cannot be decoded apart (a line that looks like a new
 * dictionary but is not one, a blob that changed between two reads, a worker that stops) makes the caller
 * decode in one piece.
 */
import { createHash, type Hash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Worker, type ResourceLimits } from 'node:worker_threads';
import { ColumnarDecoder, type ColumnarEncoding } from './projection-codec.js';
import type { ComputationLike, ComputeOptions, MergingEngine } from './recompute.js';
import type { FromVerifyWorker, ToVerifyWorker, VerifyWorkerSetup } from './verify-protocol.js';
import { offsetLines } from './text-lines.js';
import { rangeOf, startsDictionary } from './verify-ranges.js';

/**
 * Projection text (uncompressed) each verify thread must have for another to pay for its start (an
 * isolate, the SDK loaded again, the blob inflated once more up to its range, one more merge).
 */
export const PROJECTION_BYTES_PER_VERIFY_THREAD = 24 * 1024 * 1024;
/** At most this many verify threads (as for the reader threads of `compute`). */
export const MAX_VERIFY_THREADS = 4;

/**
 * How many threads recompute a projection of `bytes` (uncompressed) on `cores` cores; 1 means this thread,
 * as before. Threads only with a core to spare: on two cores, one thread decoding straight into the engine
 * (verify-here.ts) was measured at L against two (this thread and a worker, each its range): about 30 %
 * less CPU and 70-100 MB less peak RSS, for a wall time as short or shorter on a shared host (issue 13).
 */
export function verifyThreadsFor(bytes: number, cores = availableParallelism()): number {
  if (cores < 3) return 1;
  return Math.max(
    1,
    Math.min(MAX_VERIFY_THREADS, cores - 1, Math.floor(bytes / PROJECTION_BYTES_PER_VERIFY_THREAD)),
  );
}

/** A recomputation in threads: the computation and the facts decoded, or `cut` (decode in one piece). */
export type ThreadedRecomputation = { computation: ComputationLike; facts: number } | 'cut';

/**
 * Recomputes a columnar projection with `threads` threads (this one and `threads − 1` workers). `chunks`
 * are the blob's, hashed by the caller as they pass; the workers read `blob` themselves. The caller catches
 * what this throws, as it does the one-thread recomputation's.
 */
export async function recomputeInThreads(
  chunks: AsyncIterable<Buffer>,
  input: {
    blob: { path: string; compressed: boolean };
    /** The projection's uncompressed size, as its entry declares it. */
    bytes: number;
    expected: ColumnarEncoding;
    options: ComputeOptions;
    mergingEngine: (options: ComputeOptions) => MergingEngine;
    threads: number;
    /** The workers' V8 limits (default Node's; a test starves a worker to see it stop). */
    resourceLimits?: ResourceLimits;
  },
): Promise<ThreadedRecomputation> {
  const { bytes, threads } = input;
  // Made first: options it refuses fail here, as the one-thread recomputation fails, before any thread.
  const engine = input.mergingEngine(input.options);
  const workers: Worker[] = [];
  try {
    const outcomes: Promise<WorkerOutcome>[] = [];
    for (let index = 1; index < threads; index++) {
      const setup: VerifyWorkerSetup = {
        blob: input.blob,
        bytes,
        expected: input.expected,
        options: input.options,
        index,
        threads,
      };
      const worker = new Worker(workerScript(), {
        workerData: setup,
        ...(input.resourceLimits === undefined ? {} : { resourceLimits: input.resourceLimits }),
      });
      workers.push(worker);
      outcomes.push(outcomeOf(worker));
      // Handled when its turn comes, in range order; until then a failure must not be "unhandled".
      outcomes.at(-1)?.catch(() => undefined);
    }
    // Range 0 here, straight into the engine; the other ranges only hashed, to check the workers' bytes.
    const decoder = new ColumnarDecoder({ expected: input.expected });
    const hashes: Hash[] = [];
    for (let index = 0; index < threads; index++) hashes.push(createHash('sha256'));
    let facts = 0;
    let range = 0;
    const told = new Set<string>();
    for await (const line of offsetLines(chunks)) {
      range = rangeOf(line, range, bytes, threads);
      // At each part, the workers are told the Patients read so far (for the parts they start next).
      if (range === 0 && startsDictionary(line.bytes)) tellPersons(engine, told, workers);
      if (range > 0) {
        hashes[range]!.update(line.bytes);
        if (line.terminated) hashes[range]!.update('\n');
        continue;
      }
      facts += decoder.lineInto(line.bytes.toString('utf8'), (fact) => engine.addFact(fact));
    }
    decoder.end();
    for (const [i, outcome] of outcomes.entries()) {
      // A worker that stopped (crashed, out of memory) is not the projection's fault: decoded here instead.
      const settled = await outcome.catch(() => 'stopped' as const);
      if (settled === 'stopped') return 'cut';
      const { parts, end } = settled;
      // Its isolate's memory goes before the merge grows this thread's (peak RSS).
      await workers[i]!.terminate();
      // The worker read the file again: its bytes must be those hashed here, else decode them here.
      if (end.digest !== hashes[i + 1]!.digest('hex')) return 'cut';
      if (end.type === 'failed') throw new Error(end.message);
      // Each part dropped once merged: its arrays can go while the next one is merged.
      for (let part = parts.shift(); part !== undefined; part = parts.shift()) {
        engine.mergePartial(part.partial);
        facts += part.facts;
      }
    }
    return { computation: engine.finish(), facts };
  } finally {
    await Promise.all(workers.map((worker) => worker.terminate()));
  }
}

/** Sends the workers the keys of the Patients `engine` has read that they have not been told yet. */
function tellPersons(engine: MergingEngine, told: Set<string>, workers: readonly Worker[]): void {
  const keys = engine.personKeys().filter((key) => !told.has(key));
  if (keys.length === 0) return;
  for (const key of keys) told.add(key);
  const message: ToVerifyWorker = { type: 'known-persons', keys };
  for (const worker of workers) worker.postMessage(message);
}

/** What a worker handed back: its parts' partial states in order, then how it ended. */
interface WorkerOutcome {
  parts: { partial: unknown; facts: number }[];
  end: Extract<FromVerifyWorker, { type: 'done' | 'failed' }>;
}

/** A worker's messages until its last; a worker that stops before it (crashed, out of memory) fails. */
function outcomeOf(worker: Worker): Promise<WorkerOutcome> {
  return new Promise<WorkerOutcome>((resolve, reject) => {
    const parts: WorkerOutcome['parts'] = [];
    worker.on('message', (message: FromVerifyWorker) => {
      if (message.type === 'part') parts.push({ partial: message.partial, facts: message.facts });
      else resolve({ parts, end: message });
    });
    worker.once('error', (error) => reject(new Error(`a verify thread failed: ${error.message}`)));
    worker.once('exit', (code) => reject(new Error(`a verify thread stopped (exit code ${code})`)));
  });
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
