import { randomBytes } from 'node:crypto';
import { readdir, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { isProcessAlive } from '../shared/process-alive.js';

/** Where blobs are written before they are moved to their content address: `blobs/tmp/<pid>-<random>.part`. */
export const TEMPORARY_BLOBS_DIR = join('blobs', 'tmp');

/**
 * A temporary file left by a writer that died is removed only once it has not changed for this long: a
 * store shared between containers may see another namespace's live writer under a pid that is dead here.
 */
export const ABANDONED_TEMPORARY_BLOB_AGE_MS = 60 * 60 * 1000;

const PART = /^(?:(\d+)-)?[0-9a-f]+\.part$/;

/** A new temporary blob path, named after this process so that a later opening can tell it was abandoned. */
export function temporaryBlobPath(storeDir: string): { dir: string; path: string } {
  const dir = join(storeDir, TEMPORARY_BLOBS_DIR);
  return { dir, path: join(dir, `${process.pid}-${randomBytes(8).toString('hex')}.part`) };
}

/**
 * Removes the temporary blobs of writers that are gone: a run killed while it wrote its projection (a shared
 * DUI's run keeps the unscoped projection there until it is scoped) would otherwise leave pseudonymised data
 * outside the journal forever. Kept: this process's files, a living writer's, anything changed within
 * `ABANDONED_TEMPORARY_BLOB_AGE_MS`, and files not named `*.part`. Files of versions that did not name the pid
 * are judged by age alone. Returns the names removed.
 */
export async function removeAbandonedTemporaryBlobs(storeDir: string, now: Date): Promise<string[]> {
  const dir = join(storeDir, TEMPORARY_BLOBS_DIR);
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  const removed: string[] = [];
  for (const name of names) {
    const match = PART.exec(name);
    if (match === null) continue;
    const pid = match[1] === undefined ? undefined : Number(match[1]);
    if (pid === process.pid || (pid !== undefined && isProcessAlive(pid))) continue;
    const path = join(dir, name);
    const changed = await stat(path).then(
      (s) => s.mtimeMs,
      () => undefined,
    );
    if (changed === undefined || now.getTime() - changed < ABANDONED_TEMPORARY_BLOB_AGE_MS) continue;
    await unlink(path).catch(() => undefined);
    removed.push(name);
  }
  return removed;
}
