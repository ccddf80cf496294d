import { createHmac } from 'node:crypto';

/** Length of the base64url part of a pseudonym: 22 characters = 132 bits, collisions are not a concern. */
export const PSEUDONYM_LENGTH = 22;

/**
 * Returns the function that turns a person or record key into a pseudonym:
 * `'p:' + base64url(HMAC-SHA256(secret, key))` cut to {@link PSEUDONYM_LENGTH} characters. The same key
 * gives the same pseudonym under the same secret, so a pseudonymised projection recomputes the same
 * figures; without the secret (which never leaves the machine) a pseudonym cannot be linked back to an
 * INS or a DUI id by trying candidates.
 */
export function createPseudonymiser(secret: Uint8Array): (key: string) => string {
  if (secret.length === 0) throw new TypeError('createPseudonymiser: the secret is empty');
  const copy = Buffer.from(secret);
  return (key: string) =>
    `p:${createHmac('sha256', copy).update(key, 'utf8').digest('base64url').slice(0, PSEUDONYM_LENGTH)}`;
}
