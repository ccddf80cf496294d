import { randomBytes } from 'node:crypto';
import { open, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/** Suffix of the temporary files written before an atomic rename; a crash may leave one behind. */
export const TEMP_FILE_SUFFIX = '.tmp';

/**
 * Flushes a directory entry to disk so a rename or unlink survives a power loss. Some platforms
 * (Windows) cannot open a directory for fsync; there the rename is as durable as it gets.
 */
export async function fsyncDirectory(directory: string): Promise<void> {
  let handle;
  try {
    handle = await open(directory, 'r');
    await handle.sync();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'EISDIR' && code !== 'EPERM' && code !== 'EINVAL' && code !== 'EACCES') throw error;
  } finally {
    await handle?.close();
  }
}

/**
 * Writes a file so that after a crash it holds either its old content or the new one, never a mix:
 * write a temporary file beside it, fsync it, rename it over the target, fsync the directory.
 */
export async function writeFileDurably(path: string, data: string): Promise<void> {
  const directory = dirname(path);
  const temp = join(directory, `.${basename(path)}.${randomBytes(6).toString('hex')}${TEMP_FILE_SUFFIX}`);
  const handle = await open(temp, 'wx', 0o600);
  try {
    await handle.writeFile(data, 'utf8');
    await handle.sync();
  } catch (error) {
    await handle.close();
    await unlink(temp).catch(() => undefined);
    throw error;
  }
  await handle.close();
  try {
    await rename(temp, path);
  } catch (error) {
    await unlink(temp).catch(() => undefined);
    throw error;
  }
  await fsyncDirectory(directory);
}

/** Moves a file atomically (same file system) and makes both directory entries durable. */
export async function moveFileDurably(from: string, to: string): Promise<void> {
  await rename(from, to);
  await fsyncDirectory(dirname(to));
  if (dirname(from) !== dirname(to)) await fsyncDirectory(dirname(from));
}
