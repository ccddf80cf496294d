import { mkdir } from 'node:fs/promises';
import { initEvidenceKeys, loadEvidenceKeys } from './keys.js';
import type { EvidenceKeys } from './keys.js';
import { EvidenceIoError } from './errors.js';

/**
 * An open evidence store: one directory holding `journal.ndjson`, `blobs/`, the public key, and (never
 * exported) the private key and the pseudonym secret.
 */
export interface EvidenceStore {
  dir: string;
  keys: EvidenceKeys;
  /** The clock used to timestamp entries. */
  now: () => Date;
}

export interface OpenEvidenceStoreOptions {
  /** Create the directory and the keys when they are missing (what `esms init` and the runner do). */
  create?: boolean;
  now?: () => Date;
}

/** Opens a store for writing: loads (or, with `create`, first creates) its keys. */
export async function openEvidenceStore(
  dir: string,
  options: OpenEvidenceStoreOptions = {},
): Promise<EvidenceStore> {
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
  const keys = await loadEvidenceKeys(dir);
  return { dir, keys, now: options.now ?? (() => new Date()) };
}
