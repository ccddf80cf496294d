import { spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, readdir, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openEvidenceStore } from './store.js';
import {
  ABANDONED_TEMPORARY_BLOB_AGE_MS,
  removeAbandonedTemporaryBlobs,
  TEMPORARY_BLOBS_DIR,
} from './temporary-blobs.js';

/** The pid of a process that has exited (a child run to its end). */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', '0']);
  return child.pid;
}

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'esms-tmp-blobs-'));
  await mkdir(join(dir, TEMPORARY_BLOBS_DIR), { recursive: true });
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function part(name: string, ageMs: number, now: Date): Promise<void> {
  const path = join(dir, TEMPORARY_BLOBS_DIR, name);
  await writeFile(path, 'pseudonymised projection');
  const at = new Date(now.getTime() - ageMs);
  await utimes(path, at, at);
}

describe('removeAbandonedTemporaryBlobs', () => {
  it('removes what a dead writer left once it is old, keeps the living, the recent and what is not a part', async () => {
    const now = new Date();
    const old = ABANDONED_TEMPORARY_BLOB_AGE_MS + 60_000;
    const dead = deadPid();
    await part(`${dead}-aa01.part`, old, now);
    await part(`${dead}-aa02.part`, 1000, now);
    await part(`${process.ppid}-aa03.part`, old, now);
    await part(`${process.pid}-aa04.part`, old, now);
    await part('aa05.part', old, now);
    await part('notes.txt', old, now);
    const removed = await removeAbandonedTemporaryBlobs(dir, now);
    expect(removed.sort()).toEqual([`${dead}-aa01.part`, 'aa05.part']);
    expect((await readdir(join(dir, TEMPORARY_BLOBS_DIR))).sort()).toEqual(
      [`${dead}-aa02.part`, `${process.ppid}-aa03.part`, `${process.pid}-aa04.part`, 'notes.txt'].sort(),
    );
  });

  it('a store without a tmp directory has nothing to remove', async () => {
    await rm(join(dir, TEMPORARY_BLOBS_DIR), { recursive: true });
    expect(await removeAbandonedTemporaryBlobs(dir, new Date())).toEqual([]);
  });

  it('opening the store for writing (a run) removes what a killed run was writing', async () => {
    const now = new Date();
    await part(`${deadPid()}-bb01.part`, ABANDONED_TEMPORARY_BLOB_AGE_MS + 1, now);
    await openEvidenceStore(dir, { create: true, now: () => now });
    expect(await readdir(join(dir, TEMPORARY_BLOBS_DIR))).toEqual([]);
  });
});
