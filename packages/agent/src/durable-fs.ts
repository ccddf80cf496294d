import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { link, mkdir, open, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/**
 * Crash-safe file writes, shared by the outbox, the run records and the evidence store: after a crash a
 * file holds its old content or its new one, never a mix, and a rename survives a power cut.
 */

/** Suffix of the temporary files written before an atomic rename; a crash may leave one behind. */
export const TEMP_FILE_SUFFIX = '.tmp';

/**
 * fsync a directory so that a rename or a new file inside it survives a power cut. Some file systems
 * (and Windows) refuse fsync on a directory; the data itself was synced already.
 */
export async function fsyncDirectory(path: string): Promise<void> {
  const handle = await open(path, constants.O_RDONLY);
  try {
    await handle.sync();
  } catch (error) {
    if (!['EINVAL', 'EPERM', 'EISDIR', 'EACCES'].some((code) => isErrnoCode(error, code))) throw error;
  } finally {
    await handle.close();
  }
}

/** A temporary sibling name: same directory, so the final rename is atomic. */
export function temporaryPathFor(path: string): string {
  return join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}${TEMP_FILE_SUFFIX}`);
}

/**
 * Writes a file durably: temp file + fsync + (rename or link) + directory fsync. With `exclusive`, the
 * final name is created with `link()`, which fails with EEXIST rather than replacing an existing file:
 * that is how keys are never overwritten, even by two processes racing.
 * @returns `false` when `exclusive` and the file already existed (nothing written), else `true`.
 */
export async function writeFileDurably(
  path: string,
  data: string | Uint8Array,
  options: { mode?: number; exclusive?: boolean } = {},
): Promise<boolean> {
  await mkdir(dirname(path), { recursive: true });
  const temporary = temporaryPathFor(path);
  const handle = await open(temporary, 'wx', options.mode ?? 0o644);
  try {
    await handle.writeFile(data);
    await handle.sync();
  } catch (error) {
    await handle.close();
    await unlink(temporary).catch(() => undefined);
    throw error;
  }
  await handle.close();
  try {
    if (options.exclusive === true) {
      try {
        await link(temporary, path);
      } catch (error) {
        if (isErrnoCode(error, 'EEXIST')) return false;
        throw error;
      } finally {
        await unlink(temporary);
      }
    } else {
      await rename(temporary, path);
    }
  } catch (error) {
    await unlink(temporary).catch(() => undefined);
    throw error;
  }
  await fsyncDirectory(dirname(path));
  return true;
}

/** Moves a file atomically (same file system) and makes both directory entries durable. */
export async function moveFileDurably(from: string, to: string): Promise<void> {
  await rename(from, to);
  await fsyncDirectory(dirname(to));
  if (dirname(from) !== dirname(to)) await fsyncDirectory(dirname(from));
}

export function isErrnoCode(error: unknown, code: string): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === code;
}
