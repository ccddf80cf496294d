import { keyRef, type KeyRotatedPayload } from './key-rotation.js';
import { appendJournalEntry, readJournalEntries, type JournalEntry } from './journal.js';
import {
  finishInterruptedRotation,
  installNextKey,
  loadEvidenceKeys,
  prepareNextKey,
  publicKeyFingerprint,
} from './keys.js';

export interface RotateKeyResult {
  entry: JournalEntry;
  previousFingerprint: string;
  newFingerprint: string;
}

/**
 * `esms rotate-key`: a new Ed25519 key replaces the store's. The order makes a crash at any instant safe:
 * the new key is written aside (`evidence-key.next.pem`); a `key-rotated` entry, signed by the OLD key,
 * names it; only then does it replace the old private key, which is gone afterwards. A crash before the
 * entry leaves the old key in force (a new attempt reuses the prepared key); a crash after it is finished
 * when the store is next opened. The caller holds the run lock (one writer).
 */
export async function rotateEvidenceKey(
  dir: string,
  options: { now?: () => Date } = {},
): Promise<RotateKeyResult> {
  await finishInterruptedRotation(dir, await readJournalEntries(dir));
  const current = await loadEvidenceKeys(dir);
  const next = await prepareNextKey(dir);
  const payload: KeyRotatedPayload = {
    previousKey: keyRef(current.publicKeyPem),
    newKey: keyRef(next.publicKeyPem),
  };
  const entry = await appendJournalEntry(
    dir,
    current.privateKey,
    { type: 'key-rotated', payload: { ...payload } },
    options.now === undefined ? {} : { now: options.now },
  );
  await installNextKey(dir, next.publicKeyPem);
  return {
    entry,
    previousFingerprint: current.fingerprint,
    newFingerprint: publicKeyFingerprint(next.publicKeyPem),
  };
}
