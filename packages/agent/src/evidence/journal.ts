import { sign, verify } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { open, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { canonicalJson } from './canonical-json.js';
import { sha256Hex } from '../shared/sha256-hex.js';
import { parseEvidenceJson } from './safe-json.js';
import { fsyncDirectory, isErrnoCode, writeFileDurably } from '../durable-fs.js';
import { EvidenceIoError } from './errors.js';

export const JOURNAL_FILE = 'journal.ndjson';
/** Where the bytes of an append torn by a crash are kept (see {@link appendJournalEntry}). */
export const TORN_DIR = 'journal.torn';
/** `prevHash` of the first entry. */
export const GENESIS_HASH = '0'.repeat(64);
/** Sequence number of the first entry. */
export const FIRST_SEQ = 1;

/** The entry types this agent writes. Verification accepts any type; the report reads these. */
export type JournalEntryType =
  | 'run-sealed'
  /** The exact bytes of a sealed run's submission, which carry the hash of its `run-sealed` entry. */
  | 'submission-sealed'
  | 'submission-receipt'
  | 'submission-failed'
  /** A kept failure sent again by a person (`esms resend`), after its cause was fixed. */
  | 'submission-requeued'
  /** `esms rotate-key`: signed by the key in use until then, it names the key that signs from here on. */
  | 'key-rotated';

/** The signed part of an entry. */
export interface UnsignedJournalEntry {
  seq: number;
  type: string;
  /** ISO instant at which the entry was written (the agent's clock). */
  time: string;
  /** `hash` of the previous entry, {@link GENESIS_HASH} for the first. */
  prevHash: string;
  /** Small fields and blob digests; never person-level data. */
  payload: Record<string, unknown>;
}

/**
 * One line of `journal.ndjson`. `hash` = hex SHA-256 of the canonical JSON of the entry without `hash`
 * and `signature`; `signature` = base64 Ed25519 signature of the 32 raw bytes of that hash.
 */
export interface JournalEntry extends UnsignedJournalEntry {
  hash: string;
  signature: string;
}

export function journalPath(storeDir: string): string {
  return join(storeDir, JOURNAL_FILE);
}

export function computeEntryHash(entry: UnsignedJournalEntry): string {
  const { seq, type, time, prevHash, payload } = entry;
  return sha256Hex(canonicalJson({ seq, type, time, prevHash, payload }));
}

export function signEntryHash(hash: string, privateKey: KeyObject): string {
  return sign(null, Buffer.from(hash, 'hex'), privateKey).toString('base64');
}

export function verifyEntrySignature(hash: string, signature: string, publicKey: KeyObject): boolean {
  try {
    return verify(null, Buffer.from(hash, 'hex'), publicKey, Buffer.from(signature, 'base64'));
  } catch {
    return false;
  }
}

/** One line of the journal as read back, before any verification. */
export type JournalLine =
  | { lineNumber: number; kind: 'entry'; entry: JournalEntry; raw: string }
  | { lineNumber: number; kind: 'unreadable'; raw: string; reason: string };

export interface ParsedJournal {
  lines: JournalLine[];
  /** Bytes after the last newline: an append that a crash interrupted, or `null`. */
  tornTail: string | null;
}

/** Splits journal bytes into lines and parses each; checks nothing about hashes or signatures. */
export function parseJournal(text: string): ParsedJournal {
  const parts = text.split('\n');
  const last = parts.pop() ?? '';
  const lines: JournalLine[] = parts.map((raw, index) => parseLine(raw, index + 1));
  return { lines, tornTail: last === '' ? null : last };
}

function parseLine(raw: string, lineNumber: number): JournalLine {
  // Depth-checked: an entry nested deeper than the agent ever writes is unreadable, not a stack overflow.
  const parsed = parseEvidenceJson(raw);
  if (!parsed.ok) return { lineNumber, kind: 'unreadable', raw, reason: parsed.reason };
  const value = parsed.value;
  const problem = entryShapeProblem(value);
  if (problem !== null) return { lineNumber, kind: 'unreadable', raw, reason: problem };
  return { lineNumber, kind: 'entry', entry: value as JournalEntry, raw };
}

function entryShapeProblem(value: unknown): string | null {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'not a JSON object';
  const entry = value as Record<string, unknown>;
  if (!Number.isSafeInteger(entry['seq'])) return '`seq` is not an integer';
  if (typeof entry['type'] !== 'string') return '`type` is not a string';
  if (typeof entry['time'] !== 'string') return '`time` is not a string';
  if (typeof entry['prevHash'] !== 'string') return '`prevHash` is not a string';
  if (typeof entry['hash'] !== 'string') return '`hash` is not a string';
  if (typeof entry['signature'] !== 'string') return '`signature` is not a string';
  const payload = entry['payload'];
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload))
    return '`payload` is not an object';
  return null;
}

/** Reads and parses the journal of a store (an absent journal is an empty one). */
export async function readJournal(storeDir: string): Promise<ParsedJournal> {
  let text: string;
  try {
    text = await readFile(journalPath(storeDir), 'utf8');
  } catch (error) {
    if (isErrnoCode(error, 'ENOENT')) return { lines: [], tornTail: null };
    throw new EvidenceIoError(`cannot read ${journalPath(storeDir)}: ${String(error)}`, { cause: error });
  }
  return parseJournal(text);
}

/** The complete, readable entries of a store, in file order (for the report and the seal helpers). */
export async function readJournalEntries(storeDir: string): Promise<JournalEntry[]> {
  const { lines } = await readJournal(storeDir);
  return lines.flatMap((line) => (line.kind === 'entry' ? [line.entry] : []));
}

/** Serialises appends within this process; across processes, the runner's run lock keeps one writer. */
const appendQueues = new Map<string, Promise<unknown>>();

export interface AppendOptions {
  /** The clock (tests pass a fixed one). */
  now?: () => Date;
}

/**
 * Appends one signed entry: the whole line is written with a single append and fsynced before this
 * resolves, so a crash leaves at most an incomplete final line and never a half-linked chain.
 * Nothing already written is ever changed, with one exception that changes no entry: if the previous
 * append was torn by a crash, its bytes (never acknowledged, never an entry) are first copied to
 * `journal.torn/` and cut from the end of the journal, so the new entry starts on its own line.
 * Refuses to append after an unreadable complete line: that is damage a person must look at.
 */
export function appendJournalEntry(
  storeDir: string,
  privateKey: KeyObject,
  entry: { type: JournalEntryType | (string & {}); payload: Record<string, unknown> },
  options: AppendOptions = {},
): Promise<JournalEntry> {
  const previous = appendQueues.get(storeDir) ?? Promise.resolve();
  const next = previous.then(
    () => appendNow(storeDir, privateKey, entry, options),
    () => appendNow(storeDir, privateKey, entry, options),
  );
  appendQueues.set(storeDir, next);
  return next;
}

async function appendNow(
  storeDir: string,
  privateKey: KeyObject,
  input: { type: string; payload: Record<string, unknown> },
  options: AppendOptions,
): Promise<JournalEntry> {
  const path = journalPath(storeDir);
  try {
    let bytes = Buffer.alloc(0);
    let isNew = false;
    try {
      bytes = await readFile(path);
    } catch (error) {
      if (!isErrnoCode(error, 'ENOENT')) throw error;
      isNew = true;
    }
    const completeBytes = bytes.lastIndexOf(0x0a) + 1;
    if (completeBytes < bytes.length) await setTornTailAside(storeDir, bytes, completeBytes, options);
    const parsed = parseJournal(bytes.subarray(0, completeBytes).toString('utf8'));
    const lastLine = parsed.lines.at(-1);
    if (lastLine !== undefined && lastLine.kind === 'unreadable') {
      throw new EvidenceIoError(
        `the last entry of ${path} (line ${lastLine.lineNumber}) is unreadable (${lastLine.reason}); ` +
          'not appending after damaged evidence: run `esms verify` and have someone look at it',
      );
    }
    const last = lastLine?.entry;
    const unsigned: UnsignedJournalEntry = {
      seq: last === undefined ? FIRST_SEQ : last.seq + 1,
      type: input.type,
      time: (options.now ?? (() => new Date()))().toISOString(),
      prevHash: last === undefined ? GENESIS_HASH : last.hash,
      payload: input.payload,
    };
    const hash = computeEntryHash(unsigned);
    const entry: JournalEntry = { ...unsigned, hash, signature: signEntryHash(hash, privateKey) };
    const handle = await open(path, 'a', 0o644);
    try {
      await handle.appendFile(`${canonicalJson(entry)}\n`, 'utf8');
      await handle.sync();
    } finally {
      await handle.close();
    }
    if (isNew) await fsyncDirectory(storeDir);
    return entry;
  } catch (error) {
    if (error instanceof EvidenceIoError) throw error;
    throw new EvidenceIoError(`cannot append to ${path}: ${String(error)}`, { cause: error });
  }
}

async function setTornTailAside(
  storeDir: string,
  bytes: Buffer,
  completeBytes: number,
  options: AppendOptions,
): Promise<void> {
  const stamp = (options.now ?? (() => new Date()))().toISOString().replace(/[:.]/g, '-');
  await writeFileDurably(
    join(storeDir, TORN_DIR, `offset-${completeBytes}-${stamp}.partial`),
    bytes.subarray(completeBytes),
    { exclusive: true },
  );
  const handle = await open(journalPath(storeDir), 'r+');
  try {
    await handle.truncate(completeBytes);
    await handle.sync();
  } finally {
    await handle.close();
  }
}
