import { mkdir, open, readFile, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { AgentError } from '../errors.js';
import { isProcessAlive } from '../shared/process-alive.js';

export const RUN_LOCK_FILE = 'run.lock';

export interface RunLock {
  release(): Promise<void>;
}

/**
 * One run at a time per data directory, across processes (`esms run-once` while the daemon runs): an
 * exclusive lock file holding the owner's pid. A lock left by a process that no longer exists (kill -9)
 * is taken over, so a crash never blocks the agent.
 */
export async function acquireRunLock(dataDir: string): Promise<RunLock> {
  const path = join(dataDir, RUN_LOCK_FILE);
  // The first run on a fresh install: the data directory does not exist yet.
  await mkdir(dataDir, { recursive: true, mode: 0o700 }).catch((error: unknown) => {
    throw new AgentError('internal', `cannot create the data directory ${dataDir}`, { cause: error });
  });
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const handle = await open(path, 'wx', 0o600);
      await handle.writeFile(`${process.pid}\n`);
      await handle.sync();
      await handle.close();
      return {
        async release() {
          await unlink(path).catch(() => undefined);
        },
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') {
        throw new AgentError('internal', `cannot create the run lock ${path}`, { cause: error });
      }
      const owner = Number.parseInt(await readFile(path, 'utf8').catch(() => ''), 10);
      if (Number.isInteger(owner) && owner > 0 && owner !== process.pid && isProcessAlive(owner)) {
        throw new AgentError('run-in-progress', `another run is in progress (pid ${owner}, lock ${path})`);
      }
      await unlink(path).catch(() => undefined);
    }
  }
  throw new AgentError('run-in-progress', `cannot take the run lock ${path}`);
}
