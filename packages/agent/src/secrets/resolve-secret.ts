import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { SecretMissingError } from './secret-missing-error.js';
import type { SecretRef } from './secret-ref.js';

export interface ResolveSecretOptions {
  /** Environment to read `{ env }` references from; `process.env` by default (tests pass their own). */
  env?: NodeJS.ProcessEnv | undefined;
}

/**
 * Reads a secret from its environment variable or file, trimmed (a trailing newline in a token file is
 * not part of the token). Throws `SecretMissingError` naming the config `key` and where the secret was
 * expected when it is unset, empty or unreadable; the value itself never appears in an error or a log.
 */
export async function resolveSecret(
  ref: SecretRef,
  key: string,
  options: ResolveSecretOptions = {},
): Promise<string> {
  if ('env' in ref) {
    const raw = (options.env ?? process.env)[ref.env];
    if (raw === undefined) throw missing(key, `environment variable ${ref.env} is not set`);
    const value = raw.trim();
    if (value === '') throw missing(key, `environment variable ${ref.env} is empty`);
    return value;
  }
  const path = resolve(ref.file);
  let raw: string;
  try {
    raw = await readFile(path, 'utf8');
  } catch (error) {
    throw missing(key, `file ${path} ${describeFileError(error)}`, error);
  }
  const value = raw.trim();
  if (value === '') throw missing(key, `file ${path} is empty`);
  return value;
}

/** Why a file could not be read, by errno code: words a person can act on. */
const FILE_ERROR_WORDS: Readonly<Record<string, string>> = {
  ENOENT: 'does not exist',
  ENOTDIR: 'does not exist',
  EACCES: 'is not readable by this user (permission denied)',
  EPERM: 'is not readable by this user (permission denied)',
  EISDIR: 'is a directory, not a file',
};

/** Why a file could not be read, from its errno code (`does not exist`, `is a directory, not a file`). */
export function describeFileError(error: unknown): string {
  const code =
    typeof error === 'object' && error !== null && 'code' in error ? String(error.code) : undefined;
  return (
    (code === undefined ? undefined : FILE_ERROR_WORDS[code]) ?? `cannot be read (${code ?? 'unknown error'})`
  );
}

function missing(key: string, message: string, cause?: unknown): SecretMissingError {
  return new SecretMissingError([{ key, message }], cause === undefined ? {} : { cause });
}
