import { randomBytes } from 'node:crypto';
import { copyFile, link, mkdir, open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { ConfigExistsError } from './config-exists-error.js';
import { EXAMPLE_CONFIG_YAML } from './example-config.js';

export interface InitConfigOptions {
  /** Replace an existing file; the old one is first copied to `<path>.bak`. */
  force?: boolean | undefined;
  /** What to write; the commented example by default. */
  content?: string | undefined;
  /** Mode and owner given to the file before it appears (a system install: `0640`, root and the service's group). */
  mode?: number | undefined;
  owner?: { uid: number; gid: number } | undefined;
}

export interface InitConfigResult {
  /** Absolute path of the file written. */
  path: string;
  /** Where the previous file was kept, when `force` replaced one. */
  backupPath: string | null;
}

/**
 * Writes the commented example config to `path`. Refuses (`ConfigExistsError`) when a file is already
 * there unless `force`; with `force`, the old file is kept as `<path>.bak` first. Either way the file
 * appears whole or not at all (temp file, fsync, then link or rename), so a crash never leaves half a config.
 */
export async function initConfigFile(
  path: string,
  options: InitConfigOptions = {},
): Promise<InitConfigResult> {
  const absolute = resolve(path);
  const directory = dirname(absolute);
  await mkdir(directory, { recursive: true });
  const temporary = join(directory, `.${basename(absolute)}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    await writeDurably(temporary, options.content ?? EXAMPLE_CONFIG_YAML, options);
    if (options.force !== true) {
      // link() fails with EEXIST when the target exists: the check and the creation are one atomic step.
      try {
        await link(temporary, absolute);
      } catch (error) {
        if (isErrno(error, 'EEXIST')) throw new ConfigExistsError(absolute, { cause: error });
        throw error;
      }
      await syncDirectory(directory);
      return { path: absolute, backupPath: null };
    }
    let backupPath: string | null = `${absolute}.bak`;
    try {
      await copyFile(absolute, backupPath);
    } catch (error) {
      if (!isErrno(error, 'ENOENT')) throw error;
      backupPath = null;
    }
    await rename(temporary, absolute);
    await syncDirectory(directory);
    return { path: absolute, backupPath };
  } finally {
    await rm(temporary, { force: true });
  }
}

async function writeDurably(
  path: string,
  content: string,
  access: Pick<InitConfigOptions, 'mode' | 'owner'>,
): Promise<void> {
  const handle = await open(path, 'wx', access.mode ?? 0o666);
  try {
    await handle.writeFile(content, 'utf8');
    // Set on the temp file: the config never exists under its name with other rights (nor the umask's).
    if (access.mode !== undefined) await handle.chmod(access.mode);
    if (access.owner !== undefined) await handle.chown(access.owner.uid, access.owner.gid);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Makes the new directory entry itself durable (the rename or link), as fsync of the file does not. */
async function syncDirectory(directory: string): Promise<void> {
  const handle = await open(directory, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

function isErrno(error: unknown, code: string): boolean {
  return typeof error === 'object' && error !== null && 'code' in error && error.code === code;
}
