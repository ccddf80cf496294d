import { chmod, open, rename, unlink } from 'node:fs/promises';
import { dirname } from 'node:path';
import { fsyncDirectory, temporaryPathFor } from '../durable-fs.js';

/**
 * Replaces `path` with `text` in one rename: a temp file beside it (named `.<name>.<random>.tmp`, which
 * node_exporter's textfile collector skips, as it reads only `*.prom`), its mode set explicitly (`0644`
 * by default: the collector runs as another user, and a service's `UMask=0077` would hide the file),
 * fsync, rename, fsync of the directory. A reader sees the old file or the new one, never half of one.
 */
export async function writeFileAtomically(path: string, text: string, mode = 0o644): Promise<void> {
  const temporary = temporaryPathFor(path);
  const handle = await open(temporary, 'wx', mode);
  try {
    await handle.writeFile(text, 'utf8');
    // open()'s mode goes through the umask; chmod does not.
    await chmod(temporary, mode);
    await handle.sync();
    await handle.close();
    await rename(temporary, path);
  } catch (error) {
    await handle.close().catch(() => undefined);
    await unlink(temporary).catch(() => undefined);
    throw error;
  }
  await fsyncDirectory(dirname(path));
}
