import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { outboxIds, type AgentHome } from './support/agent-config.js';
import { FIXTURE_EXPORT } from './support/expectations.js';
import { esms, killChildren, startCli, waitFor, type Finished } from './support/processes.js';
import { cleanUpLoopbacks, loopbackAgent } from './support/loopback.js';

// Issue 8.4: SIGTERM ends `run-once` and `start` with 143 at any instant, `start` included before it has
// finished starting. Before Node has run a line of the agent, the kernel's default applies (the process
// ends by the signal), which a shell reports as the same 143: both count as 143 here.
const FIXED_RULE = '{ rule: fixed, date: "2024-04-01" }';

afterAll(async () => {
  await killChildren();
  await cleanUpLoopbacks();
});

function endedBySigterm(exit: Finished): boolean {
  return exit.code === 143 || (exit.code === null && exit.signal === 'SIGTERM');
}

async function runOutcomes(home: AgentHome): Promise<string[]> {
  const dir = join(home.dataDir, 'runs');
  const names = await readdir(dir).catch(() => [] as string[]);
  return Promise.all(
    names
      .filter((n) => n.endsWith('.json'))
      .map(async (n) => (JSON.parse(await readFile(join(dir, n), 'utf8')) as { outcome: string }).outcome),
  );
}

/** After a SIGTERM: nothing half-done that status calls an error, and a plain run-once finishes the job. */
async function expectCleanAfterStop(home: AgentHome, receiverStored: () => Promise<number>): Promise<void> {
  for (const outcome of await runOutcomes(home))
    expect(['aborted', 'pending', 'submitted']).toContain(outcome);
  const status = await esms(['status', '--config', home.configPath, '--format', 'json']);
  const problems = (JSON.parse(status.stdout) as { problems: { code: string }[] }).problems;
  expect(problems.map((p) => p.code)).not.toContain('last-run-error');
  const again = await esms(['run-once', '--config', home.configPath, '--measure-date', '2024-04-01']);
  expect(again.code, again.stderr).toBe(0);
  expect(await receiverStored()).toBe(18);
  expect(await outboxIds(home.dataDir, 'pending')).toEqual([]);
}

describe.concurrent('SIGTERM ends esms run-once with 143 at any instant (built CLI)', () => {
  for (const delayMs of [0, 40, 120, 300, 700]) {
    it(`SIGTERM ${delayMs} ms after spawn`, async () => {
      const { home, receiver } = await loopbackAgent({ ndjsonDir: FIXTURE_EXPORT });
      const run = startCli(['run-once', '--config', home.configPath, '--measure-date', '2024-04-01']);
      if (delayMs > 0) await new Promise((r) => setTimeout(r, delayMs));
      run.child.kill('SIGTERM');
      const exit = await run.done;
      // A run that had already finished when the signal came exits 0: the only other answer allowed.
      if (exit.code !== 0)
        expect(endedBySigterm(exit), `${exit.code} ${exit.signal} ${exit.stderr}`).toBe(true);
      await expectCleanAfterStop(home, async () => (await receiver.stats()).storedReports);
    });
  }

  it('SIGTERM while the ARS is answering: 143, the submission stays pending, then one copy', async () => {
    const { home, receiver } = await loopbackAgent({ ndjsonDir: FIXTURE_EXPORT });
    await receiver.addFaults([{ delayMs: 2_000, status: 503 }]);
    const run = startCli(['run-once', '--config', home.configPath, '--measure-date', '2024-04-01']);
    await waitFor(async () => ((await receiver.stats()).requests >= 1 ? true : undefined), 30_000, 'a send');
    run.child.kill('SIGTERM');
    const exit = await run.done;
    expect(exit.code, exit.stderr).toBe(143);
    expect(await outboxIds(home.dataDir, 'pending')).toHaveLength(1);
    await expectCleanAfterStop(home, async () => (await receiver.stats()).storedReports);
  });
});

describe.concurrent('SIGTERM ends esms start with 143 at any instant (built CLI)', () => {
  for (const delayMs of [0, 40, 120, 300]) {
    it(`SIGTERM ${delayMs} ms after spawn (before it has finished starting)`, async () => {
      const { home, receiver } = await loopbackAgent({
        ndjsonDir: FIXTURE_EXPORT,
        measureDateRule: FIXED_RULE,
        catchUp: true,
      });
      const daemon = startCli(['start', '--config', home.configPath]);
      if (delayMs > 0) await new Promise((r) => setTimeout(r, delayMs));
      daemon.child.kill('SIGTERM');
      const exit = await daemon.done;
      expect(endedBySigterm(exit), `${exit.code} ${exit.signal} ${exit.stderr}`).toBe(true);
      await expectCleanAfterStop(home, async () => (await receiver.stats()).storedReports);
    });
  }

  it('SIGTERM during the start-up catch-up run (the ARS slow to answer): 143', async () => {
    const { home, receiver } = await loopbackAgent({
      ndjsonDir: FIXTURE_EXPORT,
      measureDateRule: FIXED_RULE,
      catchUp: true,
    });
    await receiver.addFaults([{ delayMs: 2_000, status: 503 }]);
    const daemon = startCli(['start', '--config', home.configPath]);
    await waitFor(async () => ((await receiver.stats()).requests >= 1 ? true : undefined), 30_000, 'a send');
    expect(daemon.output().stderr).toContain('agent started');
    daemon.child.kill('SIGTERM');
    const exit = await daemon.done;
    expect(exit.code, exit.stderr).toBe(143);
    expect(exit.stderr).toContain('agent stopped');
    await expectCleanAfterStop(home, async () => (await receiver.stats()).storedReports);
  });
});
