import { createHmacSha256 } from './hmac-sha256.js';

/** Length of the base64url part of a pseudonym: 22 characters = 132 bits, collisions are not a concern. */
export const PSEUDONYM_LENGTH = 22;

/**
 * Pseudonyms remembered, per generation. One record's facts name its own key three or four times and its
 * person and ESSMS each time, so most keys were just seen; an HMAC per key was a third of a run's CPU time
 * at size L. Two generations: a key met again in the older one moves to the newer, so the keys of persons
 * and ESSMS (met again and again) stay while the records' own (met once) go. Bounded, so memory stays flat
 * however many records are read.
 */
export const PSEUDONYM_CACHE_KEYS = 1 << 15;

/** A key's pseudonym. */
export interface Pseudonymiser {
  (key: string): string;
  /**
   * The same, for the key of the record being read: named again by its next facts only (the last two keys
   * asked are remembered apart), so it is neither looked up nor kept in the bounded maps; at size L these
   * are four in five of the keys met once, which otherwise push out the persons' and ESSMS's.
   */
  own(key: string): string;
}

/**
 * Returns the function that turns a person or record key into a pseudonym:
 * `'p:' + base64url(HMAC-SHA256(secret, key))` cut to {@link PSEUDONYM_LENGTH} characters. The same key
 * gives the same pseudonym under the same secret, so a pseudonymised projection recomputes the same
 * figures; without the secret (which never leaves the machine) a pseudonym cannot be linked back to an
 * INS or a DUI id by trying candidates.
 */
export function createPseudonymiser(secret: Uint8Array, cacheKeys = PSEUDONYM_CACHE_KEYS): Pseudonymiser {
  if (secret.length === 0) throw new TypeError('createPseudonymiser: the secret is empty');
  // The key's padded blocks hashed once (hmac-sha256.ts): the same pseudonyms as `createHmac`, at half the cost.
  const hmac = createHmacSha256(secret, 'p:');
  let young = new Map<string, string>();
  let old = new Map<string, string>();
  // The last two keys asked, compared before any map: a record's facts name its own key and its person
  // one after the other (half of the calls at size L), and a string comparison is cheaper than hashing
  // the key for a lookup. `undefined` at first: no key (not even '') matches it.
  let lastKey: string | undefined;
  let lastPseudonym = '';
  let priorKey: string | undefined;
  let priorPseudonym = '';
  const pseudonymOf = (key: string, own: boolean): string => {
    if (key === lastKey) return lastPseudonym;
    if (key === priorKey) {
      priorKey = lastKey;
      lastKey = key;
      const found = priorPseudonym;
      priorPseudonym = lastPseudonym;
      lastPseudonym = found;
      return found;
    }
    let pseudonym = own ? hmac.base64url(key, PSEUDONYM_LENGTH) : young.get(key);
    if (pseudonym === undefined) {
      pseudonym = old.get(key);
      if (pseudonym === undefined) pseudonym = hmac.base64url(key, PSEUDONYM_LENGTH);
      if (young.size >= cacheKeys) {
        old = young;
        young = new Map();
      }
      young.set(key, pseudonym);
    }
    priorKey = lastKey;
    priorPseudonym = lastPseudonym;
    lastKey = key;
    lastPseudonym = pseudonym;
    return pseudonym;
  };
  return Object.assign((key: string) => pseudonymOf(key, false), {
    own: (key: string) => pseudonymOf(key, true),
  });
}
