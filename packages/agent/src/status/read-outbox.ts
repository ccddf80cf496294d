import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { TEMP_FILE_SUFFIX } from '../durable-fs.js';
import { OUTBOX_STATES, type OutboxItem, type OutboxState } from '../submit/outbox.js';

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

/** The item, or why it cannot be trusted (the same checks as the outbox's own reader). */
async function readItem(file: string, id: string): Promise<OutboxItem | string> {
  let value: unknown;
  try {
    value = JSON.parse(await readFile(file, 'utf8'));
  } catch (error) {
    return error instanceof SyntaxError ? 'not valid JSON (a write was cut short?)' : 'cannot be read';
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'not a JSON object';
  const item = value as Record<string, unknown>;
  const problems: string[] = [];
  if (item['formatVersion'] !== 1) problems.push('formatVersion is not 1');
  if (item['id'] !== id) problems.push('id does not match the file name');
  for (const key of ['measureDate', 'createdAt', 'body', 'bodySha256'] as const) {
    if (typeof item[key] !== 'string') problems.push(`${key} is missing`);
  }
  if (!Number.isInteger(item['attempts'])) problems.push('attempts is not an integer');
  if (problems.length === 0) {
    const digest = createHash('sha256')
      .update(item['body'] as string, 'utf8')
      .digest('hex');
    if (digest !== item['bodySha256']) problems.push('the body does not match its SHA-256');
  }
  return problems.length > 0 ? problems.join('; ') : (value as OutboxItem);
}
