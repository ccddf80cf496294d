import { mkdir, readdir, readFile, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { AgentError, isAgentError } from '../errors.js';
import type { Submission } from './build-submission.js';
import { fsyncDirectory, moveFileDurably, TEMP_FILE_SUFFIX, writeFileDurably } from '../durable-fs.js';

/** Outbox items are readable by the agent's user only. */
const PRIVATE = { mode: 0o600 } as const;
import { OutboxCorruptError } from './outbox-corrupt-error.js';
import type { SubmissionReceipt } from './receipt.js';
import { isRecord } from '../shared/is-record.js';
import { sha256Hex } from '../shared/sha256-hex.js';

/** Where an item is: waiting to be sent (or re-sent), acknowledged by the ARS, or given up on. */
export type OutboxState = 'pending' | 'done' | 'failed';
export const OUTBOX_STATES: readonly OutboxState[] = ['pending', 'done', 'failed'];

/** Why an item was given up on: refused by the ARS, or still failing when the deadline passed. */
export interface OutboxFailure {
  code: 'submission-permanent' | 'submission-deadline';
  /** The ARS's OperationOutcome text (truncated) or the last transient error. */
  reason: string;
  status?: number | undefined;
  at: string;
}

/** One submission as stored in `<dataDir>/outbox/<state>/<id>.json`. */
export interface OutboxItem {
  formatVersion: 1;
  id: string;
  measureDate: string;
  createdAt: string;
  /** The exact bytes to send, as UTF-8 text. */
  body: string;
  /** SHA-256 of `body`, checked on every read so a damaged file is never sent. */
  bodySha256: string;
  attempts: number;
  lastAttemptAt?: string;
  nextAttemptAt?: string;
  lastError?: string;
  lastStatus?: number;
  receipt?: SubmissionReceipt;
  failure?: OutboxFailure;
}

export interface OutboxEntry {
  state: OutboxState;
  item: OutboxItem;
}

export interface OutboxListing {
  pending: OutboxItem[];
  done: OutboxItem[];
  failed: OutboxItem[];
  /** Files that could not be read back: left in place, reported every time until someone looks. */
  corrupt: OutboxCorruptError[];
}

export interface EnqueueResult {
  id: string;
  /** `false` when the id was already in the outbox: nothing was written. */
  created: boolean;
  state: OutboxState;
}

/** One failed send, recorded before the next one. */
export interface AttemptRecord {
  error: string;
  status?: number | undefined;
  nextAttemptAt?: Date | undefined;
  /** When the attempt was made; defaults to the outbox's clock. */
  at?: Date | undefined;
}

export interface OutboxOptions {
  /** The agent's data directory; the outbox lives in `<dataDir>/outbox`. */
  dataDir: string;
  /** Clock for `createdAt` and the other timestamps (tests pass a fixed one). */
  now?: (() => Date) | undefined;
  /** Each transition (queued, attempt, done, failed, requeued, recovered) at debug level. */
  logger?: OutboxLogger | undefined;
}

/** The slice of a logger the outbox uses. */
export interface OutboxLogger {
  debug(details: object, message: string): void;
}

/** Id digits in log lines, as `esms status` and `esms resend` show them. */
const LOGGED_ID_LENGTH = 12;

const ID_PATTERN = /^[0-9a-f]{64}$/;
const ITEM_FILE_PATTERN = /^([0-9a-f]{64})\.json$/;

/** Reads an item back, refusing anything that is not exactly what `enqueue` wrote. */
export function parseItem(text: string, file: string, expectedId: string): OutboxItem {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (cause) {
    throw new OutboxCorruptError(file, 'not valid JSON (a write was cut short?)', { cause });
  }
  if (!isRecord(value)) throw new OutboxCorruptError(file, 'not a JSON object');
  const problems: string[] = [];
  if (value['formatVersion'] !== 1) problems.push('formatVersion is not 1');
  if (value['id'] !== expectedId) problems.push('id does not match the file name');
  for (const key of ['measureDate', 'createdAt', 'body', 'bodySha256'] as const) {
    if (typeof value[key] !== 'string') problems.push(`${key} is missing`);
  }
  if (typeof value['attempts'] !== 'number' || !Number.isInteger(value['attempts'])) {
    problems.push('attempts is not an integer');
  }
  if (problems.length === 0 && sha256Hex(value['body'] as string) !== value['bodySha256']) {
    problems.push('the body does not match its SHA-256');
  }
  if (problems.length > 0) throw new OutboxCorruptError(file, problems.join('; '));
  return value as unknown as OutboxItem;
}

/**
 * The durable outbox (contract.md §4): a submission is written here, fsynced, *before* any send, and
 * leaves `pending/` only once the ARS's receipt (→ `done/`) or a permanent failure (→ `failed/`) is
 * itself on disk. Every change is a write-to-temp + fsync + rename + fsync(dir), so a crash at any point
 * leaves each item whole in exactly one state, or a stray temp file that `open` cleans.
 * Operations on one instance are serialised; one agent process owns the directory.
 */
export class Outbox {
  /** `<dataDir>/outbox`. */
  readonly directory: string;
  readonly #now: () => Date;
  readonly #logger: OutboxLogger | undefined;
  #tail: Promise<unknown> = Promise.resolve();

  private constructor(options: OutboxOptions) {
    this.directory = join(options.dataDir, 'outbox');
    this.#now = options.now ?? (() => new Date());
    this.#logger = options.logger;
  }

  /** One debug line per state change: the submission (short id), from and to, and what changed. */
  #logTransition(
    id: string,
    from: OutboxState | null,
    to: OutboxState,
    details: Record<string, unknown> = {},
  ): void {
    this.#logger?.debug(
      { submission: id.slice(0, LOGGED_ID_LENGTH), from, to, ...details },
      'outbox transition',
    );
  }

  /** Opens (creating if needed) the outbox and finishes whatever a crash interrupted. */
  static async open(options: OutboxOptions): Promise<Outbox> {
    const outbox = new Outbox(options);
    try {
      for (const state of OUTBOX_STATES) await mkdir(outbox.#dir(state), { recursive: true, mode: 0o700 });
    } catch (cause) {
      throw new AgentError('outbox-corrupt', `Cannot create the outbox in ${outbox.directory}.`, { cause });
    }
    await outbox.#exclusive(() => outbox.#recover());
    return outbox;
  }

  #dir(state: OutboxState): string {
    return join(this.directory, state);
  }

  #file(state: OutboxState, id: string): string {
    return join(this.#dir(state), `${id}.json`);
  }

  /** Runs mutations one after the other so two callers never interleave read-modify-write cycles. */
  #exclusive<T>(operation: () => Promise<T>): Promise<T> {
    const guarded = async (): Promise<T> => {
      try {
        return await operation();
      } catch (error) {
        if (isAgentError(error)) throw error;
        // fs failures (disk full, permissions) surface as ours, naming the outbox, never as raw errno.
        const code = (error as NodeJS.ErrnoException).code ?? 'unknown';
        throw new AgentError('internal', `Outbox I/O failed in ${this.directory} (${code}).`, {
          cause: error,
        });
      }
    };
    const result = this.#tail.then(guarded, guarded);
    this.#tail = result.catch(() => undefined);
    return result;
  }

  async #read(state: OutboxState, id: string): Promise<OutboxItem | undefined> {
    const file = this.#file(state, id);
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw new OutboxCorruptError(file, 'cannot be read', { cause: error });
    }
    return parseItem(text, file, id);
  }

  async #find(id: string): Promise<OutboxEntry | undefined> {
    // `done` and `failed` first: after an interrupted move the finished state is the truth.
    for (const state of ['done', 'failed', 'pending'] as const) {
      const item = await this.#read(state, id);
      if (item !== undefined) return { state, item };
    }
    return undefined;
  }

  async #write(state: OutboxState, item: OutboxItem): Promise<void> {
    await writeFileDurably(this.#file(state, item.id), `${JSON.stringify(item, null, 1)}\n`, PRIVATE);
  }

  /** Cleans temp files left by a crash and completes moves that were recorded but not made. */
  async #recover(): Promise<void> {
    for (const state of OUTBOX_STATES) {
      const names = await readdir(this.#dir(state));
      let removed = false;
      for (const name of names) {
        if (name.endsWith(TEMP_FILE_SUFFIX)) {
          await unlink(join(this.#dir(state), name));
          removed = true;
        }
      }
      if (removed) await fsyncDirectory(this.#dir(state));
    }
    // A requeue interrupted between its two steps: the item was cleared in failed/ but not yet moved.
    for (const name of await readdir(this.#dir('failed'))) {
      const id = ITEM_FILE_PATTERN.exec(name)?.[1];
      if (id === undefined) continue;
      const item = await this.#read('failed', id).catch(() => undefined);
      if (item !== undefined && item.failure === undefined && !(await this.#exists('pending', id))) {
        await moveFileDurably(this.#file('failed', id), this.#file('pending', id));
        this.#logTransition(id, 'failed', 'pending', { recovered: true });
      }
    }
    for (const name of await readdir(this.#dir('pending'))) {
      const id = ITEM_FILE_PATTERN.exec(name)?.[1];
      if (id === undefined) continue;
      let item: OutboxItem | undefined;
      try {
        item = await this.#read('pending', id);
      } catch {
        continue; // reported by list(); never deleted here
      }
      if (item === undefined) continue;
      const finished = (await this.#exists('done', id))
        ? 'done'
        : (await this.#exists('failed', id))
          ? 'failed'
          : undefined;
      if (finished !== undefined) {
        await unlink(this.#file('pending', id));
        await fsyncDirectory(this.#dir('pending'));
      } else if (item.receipt !== undefined) {
        await moveFileDurably(this.#file('pending', id), this.#file('done', id));
        this.#logTransition(id, 'pending', 'done', { recovered: true });
      } else if (item.failure !== undefined) {
        await moveFileDurably(this.#file('pending', id), this.#file('failed', id));
        this.#logTransition(id, 'pending', 'failed', { recovered: true });
      }
    }
  }

  async #exists(state: OutboxState, id: string): Promise<boolean> {
    try {
      await readFile(this.#file(state, id));
      return true;
    } catch {
      return false;
    }
  }

  /**
   * Writes a submission durably into `pending/` (before any send). An id already in the outbox is left
   * as it is: nothing is ever queued twice.
   *
   * @throws OutboxCorruptError when a file for this id exists but cannot be read back.
   */
  enqueue(submission: Pick<Submission, 'id' | 'body' | 'createdFrom'>): Promise<EnqueueResult> {
    return this.#exclusive(async () => {
      assertId(submission.id);
      const existing = await this.#find(submission.id);
      if (existing !== undefined) return { id: submission.id, created: false, state: existing.state };
      const item: OutboxItem = {
        formatVersion: 1,
        id: submission.id,
        measureDate: submission.createdFrom.measureDate,
        createdAt: this.#now().toISOString(),
        body: submission.body,
        bodySha256: sha256Hex(submission.body),
        attempts: 0,
      };
      await this.#write('pending', item);
      this.#logTransition(item.id, null, 'pending', { measureDate: item.measureDate });
      return { id: submission.id, created: true, state: 'pending' };
    });
  }

  /** The item with this id and its state, or `undefined`. */
  get(id: string): Promise<OutboxEntry | undefined> {
    return this.#exclusive(async () => {
      assertId(id);
      return this.#find(id);
    });
  }

  /** Every item by state (oldest first) and every unreadable file, for `esms status` and delivery. */
  list(): Promise<OutboxListing> {
    return this.#exclusive(async () => {
      const listing: OutboxListing = { pending: [], done: [], failed: [], corrupt: [] };
      for (const state of OUTBOX_STATES) {
        for (const name of (await readdir(this.#dir(state))).sort()) {
          if (name.endsWith(TEMP_FILE_SUFFIX) || !name.endsWith('.json')) continue;
          const file = join(this.#dir(state), name);
          const id = ITEM_FILE_PATTERN.exec(name)?.[1];
          if (id === undefined) {
            listing.corrupt.push(new OutboxCorruptError(file, 'unexpected file name'));
            continue;
          }
          try {
            const item = await this.#read(state, id);
            if (item !== undefined) listing[state].push(item);
          } catch (error) {
            if (error instanceof OutboxCorruptError) listing.corrupt.push(error);
            else throw error;
          }
        }
        listing[state].sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id));
      }
      return listing;
    });
  }

  /** Records one failed send of a pending item (attempt count, error, when to try again). */
  recordAttempt(id: string, attempt: AttemptRecord): Promise<OutboxItem> {
    return this.#exclusive(async () => {
      const item = await this.#pending(id, 'record an attempt on');
      const updated: OutboxItem = {
        ...item,
        attempts: item.attempts + 1,
        lastAttemptAt: (attempt.at ?? this.#now()).toISOString(),
        lastError: attempt.error,
      };
      if (attempt.status === undefined) delete updated.lastStatus;
      else updated.lastStatus = attempt.status;
      if (attempt.nextAttemptAt === undefined) delete updated.nextAttemptAt;
      else updated.nextAttemptAt = attempt.nextAttemptAt.toISOString();
      await this.#write('pending', updated);
      this.#logTransition(id, 'pending', 'pending', {
        attempts: updated.attempts,
        ...(updated.lastStatus === undefined ? {} : { status: updated.lastStatus }),
        ...(updated.nextAttemptAt === undefined ? {} : { nextAttemptAt: updated.nextAttemptAt }),
      });
      return updated;
    });
  }

  /**
   * Stores the ARS's receipt with the item (durably), then moves it to `done/`. Marking an item that is
   * already done returns it unchanged.
   */
  markDone(id: string, receipt: SubmissionReceipt): Promise<OutboxItem & { receipt: SubmissionReceipt }> {
    return this.#exclusive(async () => {
      const done = await this.#read('done', id);
      if (done?.receipt !== undefined) return { ...done, receipt: done.receipt };
      const item = await this.#pending(id, 'mark as done');
      const updated = { ...item, attempts: item.attempts + 1, receipt };
      delete updated.nextAttemptAt;
      await this.#write('pending', updated);
      await moveFileDurably(this.#file('pending', id), this.#file('done', id));
      this.#logTransition(id, 'pending', 'done', { attempts: updated.attempts, status: receipt.status });
      return updated;
    });
  }

  /** Stores why the item is given up on, then moves it to `failed/`, where it is kept for good. */
  markFailed(
    id: string,
    failure: Omit<OutboxFailure, 'at'> & { at?: Date | undefined },
  ): Promise<OutboxItem & { failure: OutboxFailure }> {
    return this.#exclusive(async () => {
      const failed = await this.#read('failed', id);
      if (failed?.failure !== undefined) return { ...failed, failure: failed.failure };
      const item = await this.#pending(id, 'mark as failed');
      const { at, ...rest } = failure;
      const record: OutboxFailure = { ...rest, at: (at ?? this.#now()).toISOString() };
      if (record.status === undefined) delete record.status;
      const updated = { ...item, failure: record };
      delete updated.nextAttemptAt;
      await this.#write('pending', updated);
      await moveFileDurably(this.#file('pending', id), this.#file('failed', id));
      this.#logTransition(id, 'pending', 'failed', {
        code: record.code,
        ...(record.status === undefined ? {} : { status: record.status }),
      });
      return updated;
    });
  }

  /**
   * Puts a failed item back in `pending/` (an operator's decision, e.g. after the ARS fixed its side):
   * attempts restart from zero and the deadline from now; the previous failure is kept in `lastError`.
   */
  requeue(id: string): Promise<OutboxItem> {
    return this.#exclusive(async () => {
      assertId(id);
      const item = await this.#read('failed', id);
      if (item === undefined) throw new AgentError('usage', `Submission ${id} is not in the failed outbox.`);
      const updated: OutboxItem = { ...item, attempts: 0, createdAt: this.#now().toISOString() };
      if (item.failure !== undefined) updated.lastError = `${item.failure.code}: ${item.failure.reason}`;
      delete updated.failure;
      delete updated.nextAttemptAt;
      await writeFileDurably(this.#file('failed', id), `${JSON.stringify(updated, null, 1)}\n`, PRIVATE);
      await moveFileDurably(this.#file('failed', id), this.#file('pending', id));
      this.#logTransition(id, 'failed', 'pending', { requeued: true });
      return updated;
    });
  }

  async #pending(id: string, action: string): Promise<OutboxItem> {
    assertId(id);
    const item = await this.#read('pending', id);
    if (item === undefined)
      throw new AgentError('internal', `Cannot ${action} submission ${id}: it is not pending.`);
    return item;
  }
}

function assertId(id: string): void {
  // Ids become file names: only a SHA-256 in hex is accepted.
  if (!ID_PATTERN.test(id)) throw new AgentError('internal', `"${id}" is not a submission id (SHA-256 hex).`);
}
