import { createPrivateKey, createPublicKey, generateKeyPairSync, randomBytes } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { isErrnoCode, moveFileDurably, writeFileDurably } from '../durable-fs.js';
import { EvidenceIoError } from './errors.js';
import { field } from './json-access.js';
import type { JournalEntry } from './journal.js';
import { sha256Hex } from '../shared/sha256-hex.js';

export const PRIVATE_KEY_FILE = 'evidence-key.pem';
export const PUBLIC_KEY_FILE = 'evidence-key.pub.pem';
export const PSEUDONYM_SECRET_FILE = 'pseudonym-secret';
/** The key `esms rotate-key` is moving to, until the rotation is finished (never exported). */
export const NEXT_PRIVATE_KEY_FILE = 'evidence-key.next.pem';
export const PSEUDONYM_SECRET_BYTES = 32;
const SECRET_FILE_MODE = 0o600;

export interface EvidenceKeyFiles {
  privateKeyPath: string;
  publicKeyPath: string;
  pseudonymSecretPath: string;
}

export interface InitEvidenceKeysResult extends EvidenceKeyFiles {
  /** Which files this call created; existing files are never overwritten. */
  created: { privateKey: boolean; publicKey: boolean; pseudonymSecret: boolean };
  /** Fingerprint of the public key now in the directory (see {@link publicKeyFingerprint}). */
  fingerprint: string;
}

/** The loaded key material of a store. The private key and the secret never leave the machine. */
export interface EvidenceKeys {
  privateKey: KeyObject;
  publicKeyPem: string;
  fingerprint: string;
  pseudonymSecret: Buffer;
}

export function evidenceKeyFiles(dir: string): EvidenceKeyFiles {
  return {
    privateKeyPath: join(dir, PRIVATE_KEY_FILE),
    publicKeyPath: join(dir, PUBLIC_KEY_FILE),
    pseudonymSecretPath: join(dir, PSEUDONYM_SECRET_FILE),
  };
}

/**
 * Creates the Ed25519 signing key pair and the pseudonym secret in `dir` when they are missing. Existing
 * files are kept as they are (a lost key would orphan every signature made with it; a new secret would
 * change every pseudonym). When only the public key is missing it is derived from the private key.
 */
export async function initEvidenceKeys(dir: string): Promise<InitEvidenceKeysResult> {
  const files = evidenceKeyFiles(dir);
  const created = { privateKey: false, publicKey: false, pseudonymSecret: false };
  try {
    let privatePem = await readOptional(files.privateKeyPath);
    if (privatePem === null) {
      if ((await readOptional(files.publicKeyPath)) !== null) {
        throw new EvidenceIoError(
          `${files.publicKeyPath} exists but ${files.privateKeyPath} does not: refusing to create a new key ` +
            'that would not match the published public key. Restore the private key, or move both files away.',
        );
      }
      const { privateKey } = generateKeyPairSync('ed25519');
      const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
      created.privateKey = await writeFileDurably(files.privateKeyPath, pem, {
        mode: SECRET_FILE_MODE,
        exclusive: true,
      });
      // Another process may have won the race: from here on, use whatever is on disk.
      privatePem = await readFile(files.privateKeyPath, 'utf8');
    }
    const publicPem = createPublicKey(createPrivateKey(privatePem)).export({
      type: 'spki',
      format: 'pem',
    }) as string;
    const existingPublic = await readOptional(files.publicKeyPath);
    if (existingPublic === null) {
      created.publicKey = await writeFileDurably(files.publicKeyPath, publicPem, { exclusive: true });
    } else if (publicKeyFingerprint(existingPublic) !== publicKeyFingerprint(publicPem)) {
      throw new EvidenceIoError(`${files.publicKeyPath} does not match ${files.privateKeyPath}`);
    }
    if ((await readOptional(files.pseudonymSecretPath)) === null) {
      created.pseudonymSecret = await writeFileDurably(
        files.pseudonymSecretPath,
        randomBytes(PSEUDONYM_SECRET_BYTES),
        {
          mode: SECRET_FILE_MODE,
          exclusive: true,
        },
      );
    }
    return { ...files, created, fingerprint: publicKeyFingerprint(publicPem) };
  } catch (error) {
    if (error instanceof EvidenceIoError) throw error;
    throw new EvidenceIoError(`cannot create the evidence keys in ${dir}: ${describe(error)}`, {
      cause: error,
    });
  }
}

/** Loads the key pair and the pseudonym secret written by {@link initEvidenceKeys}. */
export async function loadEvidenceKeys(dir: string): Promise<EvidenceKeys> {
  const files = evidenceKeyFiles(dir);
  try {
    const privateKey = createPrivateKey(await readFile(files.privateKeyPath, 'utf8'));
    if (privateKey.asymmetricKeyType !== 'ed25519') {
      throw new EvidenceIoError(`${files.privateKeyPath} is not an Ed25519 key`);
    }
    const publicKeyPem = createPublicKey(privateKey).export({ type: 'spki', format: 'pem' }) as string;
    const pseudonymSecret = await readFile(files.pseudonymSecretPath);
    if (pseudonymSecret.length < PSEUDONYM_SECRET_BYTES) {
      throw new EvidenceIoError(
        `${files.pseudonymSecretPath} is shorter than ${PSEUDONYM_SECRET_BYTES} bytes`,
      );
    }
    return { privateKey, publicKeyPem, fingerprint: publicKeyFingerprint(publicKeyPem), pseudonymSecret };
  } catch (error) {
    if (error instanceof EvidenceIoError) throw error;
    throw new EvidenceIoError(
      `cannot load the evidence keys from ${dir} (run \`esms init\` to create them): ${describe(error)}`,
      { cause: error },
    );
  }
}

/**
 * SHA-256 of the DER-encoded SubjectPublicKeyInfo, as 16 groups of 4 hex digits: short enough to read
 * aloud or compare on paper, which is how a signatory confirms that an auditor checks the right key.
 * Accepts a PEM public or private key.
 */
export function publicKeyFingerprint(pem: string | KeyObject): string {
  const key =
    typeof pem === 'string' ? createPublicKey(pem) : pem.type === 'private' ? createPublicKey(pem) : pem;
  const der = key.export({ type: 'spki', format: 'der' });
  const hex = sha256Hex(der);
  return (hex.match(/.{4}/g) ?? []).join(' ');
}

/** Normalises a fingerprint typed by a person (any case, spaces or colons) for comparison. */
export function normaliseFingerprint(fingerprint: string): string {
  return fingerprint.toLowerCase().replace(/[^0-9a-f]/g, '');
}

async function readOptional(path: string): Promise<string | null> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    if (isErrnoCode(error, 'ENOENT')) return null;
    throw error;
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** The Ed25519 key waiting in `evidence-key.next.pem` (a rotation under way), or a new one written there. */
export async function prepareNextKey(dir: string): Promise<{ privateKey: KeyObject; publicKeyPem: string }> {
  const path = join(dir, NEXT_PRIVATE_KEY_FILE);
  try {
    let pem = await readOptional(path);
    if (pem === null) {
      const { privateKey } = generateKeyPairSync('ed25519');
      await writeFileDurably(path, privateKey.export({ type: 'pkcs8', format: 'pem' }), {
        mode: SECRET_FILE_MODE,
        exclusive: true,
      });
      pem = await readFile(path, 'utf8');
    }
    const privateKey = createPrivateKey(pem);
    const publicKeyPem = createPublicKey(privateKey).export({ type: 'spki', format: 'pem' }) as string;
    return { privateKey, publicKeyPem };
  } catch (error) {
    throw new EvidenceIoError(`cannot prepare the next evidence key in ${dir}: ${describe(error)}`, {
      cause: error,
    });
  }
}

/**
 * Makes the prepared key the store's key: `evidence-key.next.pem` replaces `evidence-key.pem` (atomically:
 * the old private key is gone once this returns), then the public key file follows. Called once the
 * `key-rotated` entry naming the new key is durably in the journal.
 */
export async function installNextKey(dir: string, publicKeyPem: string): Promise<void> {
  const files = evidenceKeyFiles(dir);
  try {
    await moveFileDurably(join(dir, NEXT_PRIVATE_KEY_FILE), files.privateKeyPath);
    await writeFileDurably(files.publicKeyPath, publicKeyPem);
  } catch (error) {
    throw new EvidenceIoError(`cannot install the new evidence key in ${dir}: ${describe(error)}`, {
      cause: error,
    });
  }
}

/**
 * A rotation a crash cut after its `key-rotated` entry but before the key files moved: finishes it. A
 * journal whose last rotation names a key this store does not hold is refused (nothing it signed would
 * verify).
 */
export async function finishInterruptedRotation(
  dir: string,
  entries: readonly JournalEntry[],
): Promise<void> {
  const rotation = entries.findLast((entry) => entry.type === 'key-rotated');
  if (rotation === undefined) return;
  const named = field(rotation.payload['newKey'], 'fingerprint');
  const current = await readOptional(join(dir, PRIVATE_KEY_FILE));
  if (current !== null && publicKeyFingerprint(createPublicKey(createPrivateKey(current))) === named) {
    // Done already; the public key file may still be the old one.
    const pub = await readOptional(join(dir, PUBLIC_KEY_FILE));
    const publicKeyPem = createPublicKey(createPrivateKey(current)).export({
      type: 'spki',
      format: 'pem',
    }) as string;
    if (pub === null || publicKeyFingerprint(pub) !== named)
      await writeFileDurably(join(dir, PUBLIC_KEY_FILE), publicKeyPem);
    return;
  }
  const next = await readOptional(join(dir, NEXT_PRIVATE_KEY_FILE));
  if (next !== null && publicKeyFingerprint(createPublicKey(createPrivateKey(next))) === named) {
    await installNextKey(
      dir,
      createPublicKey(createPrivateKey(next)).export({ type: 'spki', format: 'pem' }) as string,
    );
    return;
  }
  throw new EvidenceIoError(
    `the journal of ${dir} was rotated to key ${String(named)} (entry seq ${rotation.seq}), which this store does not hold: ` +
      'not signing with another key (restore evidence-key.pem from the backup made after the rotation)',
  );
}
