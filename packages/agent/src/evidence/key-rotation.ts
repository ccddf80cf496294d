/**
 * Key rotation (`esms rotate-key`): a `key-rotated` entry, signed by the key in use until then, names the
 * key that signs every entry after it. The journal thus carries its own key history, and a verifier that
 * trusts any key of it (given by fingerprint) follows the rotations from the first entry to the last.
 */
import { createPublicKey } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { field } from './json-access.js';
import type { JournalEntry } from './journal.js';
import { publicKeyFingerprint } from './keys.js';

export interface KeyRef {
  fingerprint: string;
  publicKeyPem: string;
}

/** Payload of a `key-rotated` entry. */
export interface KeyRotatedPayload {
  /** The key this entry is signed with (the one retired from the next entry on). */
  previousKey: KeyRef;
  /** The key that signs every entry after this one. */
  newKey: KeyRef;
}

export function keyRef(pem: string): KeyRef {
  return { fingerprint: publicKeyFingerprint(pem), publicKeyPem: pem };
}

/** The two keys a `key-rotated` entry names, parsed, or why they cannot be. */
export function rotationKeys(
  entry: JournalEntry,
): { previous: KeyObject; next: KeyObject } | { problem: string } {
  const parse = (what: string): KeyObject | string => {
    const pem = field(entry.payload[what], 'publicKeyPem');
    if (typeof pem !== 'string') return `its ${what} has no publicKeyPem`;
    try {
      const key = createPublicKey(pem);
      if (key.asymmetricKeyType !== 'ed25519') return `its ${what} is not an Ed25519 key`;
      const stated = field(entry.payload[what], 'fingerprint');
      if (stated !== publicKeyFingerprint(key)) return `its ${what}'s fingerprint is not that of its key`;
      return key;
    } catch {
      return `its ${what} is not a readable public key`;
    }
  };
  const previous = parse('previousKey');
  const next = parse('newKey');
  if (typeof previous === 'string') return { problem: previous };
  if (typeof next === 'string') return { problem: next };
  return { previous, next };
}
