import type { EvidenceStore } from '../evidence/store.js';

/** The slice of a logger the evidence lines need. */
export interface EvidenceLogger {
  debug(details: object, message: string): void;
}

/** Hash digits shown in logs (as `esms status` shows them): enough to find the entry, short to read. */
const HASH_PREFIX_LENGTH = 12;

/**
 * The store a run writes through, with one debug line per journal entry appended (sequence number, type,
 * hash prefix: never the payload, which is the auditor's business). A decorator rather than a change to
 * the store, so every store (the file one, a test's in-memory one) logs alike.
 */
export function loggedEvidenceStore(store: EvidenceStore, logger: EvidenceLogger): EvidenceStore {
  return {
    get location() {
      return store.location;
    },
    get pseudonymSecret() {
      return store.pseudonymSecret;
    },
    putBlob: (data) => store.putBlob(data),
    createBlobWriter: () => store.createBlobWriter(),
    entries: () => store.entries(),
    append: async (entry) => {
      const appended = await store.append(entry);
      logger.debug(
        { seq: appended.seq, type: appended.type, hash: appended.hash.slice(0, HASH_PREFIX_LENGTH) },
        'evidence entry appended',
      );
      return appended;
    },
  };
}
