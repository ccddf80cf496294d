import { mkdir } from 'node:fs/promises';
import { createBlobWriter, putBlob, type BlobInfo, type BlobWriter } from './blobs.js';
import { removeAbandonedTemporaryBlobs } from './temporary-blobs.js';
import {
  appendJournalEntry,
  readJournalEntries,
  type JournalEntry,
  type JournalEntryType,
} from './journal.js';
import { finishInterruptedRotation, initEvidenceKeys, loadEvidenceKeys } from './keys.js';
import type { EvidenceKeys } from './keys.js';
import { EvidenceIoError } from './errors.js';
import { stampPending, type Timestamping } from './timestamping.js';

/**
 * What the runner writes evidence through (STYLE.md §2: an adapter behind a small interface a test can
 * swap): content-addressed blobs and a signed, append-only journal. The signing key stays inside the
 * implementation; only the pseudonym secret is handed out, because pseudonyms are made while computing.
 * `esms verify` does not use this interface: it reads a store (or a bundle) as files, with no key.
 */
export interface EvidenceStore {
  /** Where the evidence is kept (a directory for the file store), for messages. */
  readonly location: string;
  /** HMAC key of the pseudonyms (contract.md §5); never leaves the machine. */
  readonly pseudonymSecret: Buffer;
  /** Stores bytes under their SHA-256 (identical content is stored once). */
  putBlob(data: string | Uint8Array): Promise<BlobInfo>;
  /** A blob streamed as it is produced (the projection), content-addressed when finished. */
  createBlobWriter(): BlobWriter;
  /** Appends one signed entry, durably, after the last one. */
  append(entry: { type: JournalEntryType; payload: Record<string, unknown> }): Promise<JournalEntry>;
  /** Every complete, readable entry, in journal order. */
  entries(): Promise<JournalEntry[]>;
}

/**
 * The file store: one directory holding `journal.ndjson`, `blobs/`, `timestamps/`, the public key, and
 * (never exported) the private key and the pseudonym secret.
 */
export interface FileEvidenceStore extends EvidenceStore {
  dir: string;
  keys: EvidenceKeys;
  /** The clock used to timestamp entries. */
  now: () => Date;
}

export interface OpenEvidenceStoreOptions {
  /** Create the directory and the keys when they are missing (what `esms init` and the runner do). */
  create?: boolean;
  now?: () => Date;
  /** A time-stamping authority: each entry appended (and any left without a token) is time-stamped. */
  timestamping?: Timestamping | null;
}

/** Opens a file store for writing: loads (or, with `create`, first creates) its keys. */
export async function openEvidenceStore(
  dir: string,
  options: OpenEvidenceStoreOptions = {},
): Promise<FileEvidenceStore> {
  if (options.create === true) {
    try {
      await mkdir(dir, { recursive: true, mode: 0o700 });
    } catch (error) {
      throw new EvidenceIoError(`cannot create the evidence directory ${dir}: ${String(error)}`, {
        cause: error,
      });
    }
    await initEvidenceKeys(dir);
  }
  // A key rotation that a crash cut between its journal entry and the key files is finished first:
  // the journal already says which key signs from now on.
  await finishInterruptedRotation(dir, await readJournalEntries(dir));
  const keys = await loadEvidenceKeys(dir);
  const now = options.now ?? (() => new Date());
  // What a killed run was writing (never in the journal, never exported) does not stay on disk.
  await removeAbandonedTemporaryBlobs(dir, now());
  const timestamping = options.timestamping ?? null;
  return {
    dir,
    keys,
    now,
    location: dir,
    pseudonymSecret: keys.pseudonymSecret,
    putBlob: (data) => putBlob(dir, data),
    createBlobWriter: () => createBlobWriter(dir),
    append: async (entry) => {
      const appended = await appendJournalEntry(dir, keys.privateKey, entry, { now });
      if (timestamping !== null) await stampPending(dir, await readJournalEntries(dir), timestamping);
      return appended;
    },
    entries: () => readJournalEntries(dir),
  };
}
