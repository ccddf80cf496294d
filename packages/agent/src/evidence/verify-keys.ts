import { createPublicKey } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { JournalLine } from './journal.js';
import { rotationKeys } from './key-rotation.js';
import { PUBLIC_KEY_FILE, normaliseFingerprint, publicKeyFingerprint } from './keys.js';
import type { VerificationFinding } from './verification-report.js';
import type { VerifyOptions } from './verify-options.js';
import type { RunCheckContext } from './verify-run.js';
import { errorMessage } from '../shared/error-message.js';

/** The store's own public key, and the one it must be when the caller knows it. */
export interface GivenKeys {
  storeKey: KeyObject | null;
  storeFingerprint: string | null;
  /** The finding of a missing store key: what an empty store lacks, an error only once something is sealed. */
  storeKeyMissing: VerificationFinding | null;
  expectedKey: KeyObject | null;
  expectedFingerprint: string | null;
}

export async function readGivenKeys(
  dir: string,
  options: VerifyOptions,
  findings: VerificationFinding[],
): Promise<GivenKeys> {
  let storeKey: KeyObject | null = null;
  let storeKeyMissing: VerificationFinding | null = null;
  let storeFingerprint: string | null = null;
  try {
    const pem = await readFile(join(dir, PUBLIC_KEY_FILE), 'utf8');
    storeKey = createPublicKey(pem);
    storeFingerprint = publicKeyFingerprint(storeKey);
  } catch (error) {
    storeKeyMissing = {
      seq: null,
      check: 'public-key',
      severity: 'error',
      message: `the store's public key (${PUBLIC_KEY_FILE}) is missing or unreadable: ${errorMessage(error)}`,
    };
    findings.push(storeKeyMissing);
  }
  let expectedKey: KeyObject | null = null;
  let expectedFingerprint: string | null = null;
  if (options.publicKeyPem !== undefined) {
    try {
      expectedKey = createPublicKey(options.publicKeyPem);
      expectedFingerprint = publicKeyFingerprint(expectedKey);
    } catch (error) {
      findings.push({
        seq: null,
        check: 'public-key',
        severity: 'error',
        message: `the expected public key given is not a readable public key: ${errorMessage(error)}`,
      });
    }
  } else if (options.expectedFingerprint !== undefined) {
    expectedFingerprint = options.expectedFingerprint;
  }
  return { storeKey, storeFingerprint, storeKeyMissing, expectedKey, expectedFingerprint };
}

/** The keys a journal was signed with, in order: its first key, then each rotation's new key. */
export interface ChainKeys {
  initialKey: KeyObject | null;
  chainKeys: KeyObject[];
  /** No key was expected, or the expected one is among the chain's. */
  keyIsExpected: boolean;
}

export function journalChainKeys(
  lines: readonly JournalLine[],
  given: GivenKeys,
  add: RunCheckContext['add'],
): ChainKeys {
  const { storeKey, expectedKey, expectedFingerprint, storeFingerprint } = given;
  const firstRotation = lines.find((line) => line.kind === 'entry' && line.entry.type === 'key-rotated');
  const firstRotationKeys =
    firstRotation?.kind === 'entry' ? rotationKeys(firstRotation.entry) : { problem: 'none' };
  const chainKeys: KeyObject[] = [];
  const initialKey = 'previous' in firstRotationKeys ? firstRotationKeys.previous : (storeKey ?? expectedKey);
  if (initialKey !== null) chainKeys.push(initialKey);
  for (const line of lines) {
    if (line.kind !== 'entry' || line.entry.type !== 'key-rotated') continue;
    const keys = rotationKeys(line.entry);
    if ('next' in keys) chainKeys.push(keys.next);
  }
  const chainFingerprints = chainKeys.map((k) => publicKeyFingerprint(k));
  const keyIsExpected =
    expectedFingerprint === null ||
    chainFingerprints.some(
      (f) => normaliseFingerprint(f) === normaliseFingerprint(expectedFingerprint ?? ''),
    );
  if (!keyIsExpected) {
    add(
      null,
      'wrong-key',
      'error',
      `wrong key: the store is signed with key ${chainFingerprints.join(' then ') || storeFingerprint || '(none)'}, not with the expected key ${expectedFingerprint ?? ''}`,
    );
  }
  return { initialKey, chainKeys, keyIsExpected };
}
