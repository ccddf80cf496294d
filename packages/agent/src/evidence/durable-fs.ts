import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { link, mkdir, open, rename, unlink } from 'node:fs/promises';
import { dirname, join, basename } from 'node:path';

/** fsync a directory so that a rename or a new file inside it survives a power cut. */
export async function fsyncDirectory(path: string): Promise<void> {
  const handle = await open(path, constants.O_RDONLY);
  try {
    await handle.sync();
  } catch (error) {
    // Some filesystems (and Windows) refuse fsync on a directory; the data itself was synced already.
    if (!isErrnoCode(error, 'EINVAL') && !isErrnoCode(error, 'EPERM') && !isErrnoCode(error, 'EISDIR'))
      throw error;
  } finally {
    await handle.close();
  }
}

/** A temporary sibling name: same directory, so the final rename is atomic. */
export function temporaryPathFor(path: string): string {
  return join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
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
  } finally {
    await handle.close();
  }
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

export function isErrnoCode(error: unknown, code: string): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === code;
}
