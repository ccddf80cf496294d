import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { TEMP_FILE_SUFFIX } from '../durable-fs.js';
import { isOutboxCorruptError } from '../submit/outbox-corrupt-error.js';
import { OUTBOX_STATES, parseItem, type OutboxItem, type OutboxState } from '../submit/outbox.js';

/** An outbox file that cannot be read back, with why. */
export interface CorruptOutboxFile {
  file: string;
  reason: string;
}

export interface OutboxSnapshot {
  pending: OutboxItem[];
  done: OutboxItem[];
  failed: OutboxItem[];
  corrupt: CorruptOutboxFile[];
}

const ITEM_FILE_PATTERN = /^([0-9a-f]{64})\.json$/;

/**
 * The outbox as it is on disk, read without changing anything. `Outbox.open` finishes interrupted moves
 * and removes temp files, which is right for the process that owns the outbox but not for `esms status`,
 * which may run while the daemon writes: removing its temp file would break its next rename.
 * An id found both in `pending/` and in a finished state (a crash between the two steps of a move) is
 * reported in the finished state only, as the owner's recovery will do.
 */
export async function readOutboxSnapshot(dataDir: string): Promise<OutboxSnapshot> {
  const snapshot: OutboxSnapshot = { pending: [], done: [], failed: [], corrupt: [] };
  const finished = new Set<string>();
  for (const state of ['done', 'failed', 'pending'] as const satisfies readonly OutboxState[]) {
    const dir = join(dataDir, 'outbox', state);
    let names: string[];
    try {
      names = (await readdir(dir)).sort();
    } catch {
      continue; // no outbox yet
    }
    for (const name of names) {
      if (name.endsWith(TEMP_FILE_SUFFIX) || !name.endsWith('.json')) continue;
      const file = join(dir, name);
      const id = ITEM_FILE_PATTERN.exec(name)?.[1];
      if (id === undefined) {
        snapshot.corrupt.push({ file, reason: 'unexpected file name' });
        continue;
      }
      const item = await readItem(file, id);
      if (typeof item === 'string') {
        snapshot.corrupt.push({ file, reason: item });
        continue;
      }
      if (state !== 'pending') finished.add(id);
      else if (finished.has(id)) continue;
      snapshot[state].push(item);
    }
  }
  for (const state of OUTBOX_STATES) {
    snapshot[state].sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id));
  }
  return snapshot;
}

/** The item, or why it cannot be trusted (the outbox's own reader, so both judge a file alike). */
async function readItem(file: string, id: string): Promise<OutboxItem | string> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    return 'cannot be read';
  }
  try {
    return parseItem(text, file, id);
  } catch (error) {
    if (isOutboxCorruptError(error)) return error.reason;
    throw error;
  }
}
