import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, randomBytes } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { isErrnoCode, writeFileDurably } from '../durable-fs.js';
import { EvidenceIoError } from './errors.js';

export const PRIVATE_KEY_FILE = 'evidence-key.pem';
export const PUBLIC_KEY_FILE = 'evidence-key.pub.pem';
export const PSEUDONYM_SECRET_FILE = 'pseudonym-secret';
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
  const hex = createHash('sha256').update(der).digest('hex');
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
