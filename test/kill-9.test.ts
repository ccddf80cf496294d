import type { ResultsDocument } from '@esms-numerique/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { outboxIds, type AgentHome } from './support/agent-config.js';
import { computeFixture, expectReportsMatch, FIXTURE_EXPORT } from './support/expectations.js';
import { esms, killChildren, startCli, waitFor } from './support/processes.js';
import { cleanUpLoopbacks, loopbackAgent } from './support/loopback.js';
import { startFhirServer } from './support/servers.js';

// kill -9 of `esms run-once`, then a restart: the ARS must end up with exactly one copy.
let fhirUrl: string;

beforeAll(async () => {
  fhirUrl = await startFhirServer(FIXTURE_EXPORT);
});
afterAll(async () => {
  await killChildren();
  await cleanUpLoopbacks();
});

function setup(): ReturnType<typeof loopbackAgent> {
  return loopbackAgent({ fhirUrl });
}

interface StatusJson {
  runs: Array<{ outcome: string }>;
  submissions: { delivered: number; pending: unknown[] };
  problems: Array<{ code: string }>;
}

async function statusOf(home: AgentHome): Promise<{ code: number | null; json: StatusJson }> {
  const run = await esms(['status', '--config', home.configPath, '--format', 'json']);
  return { code: run.code, json: JSON.parse(run.stdout) as StatusJson };
}

describe.concurrent('kill -9 of esms run-once', () => {
  it('killed mid-submission: pending + interrupted (status 1); the restart leaves exactly one copy (status 0)', async () => {
    const { home, receiver } = await setup();
    const computedPromise: Promise<ResultsDocument> = computeFixture('2024-04-01');
    // The ARS takes 3 s to answer the first request: the agent is then mid-submission.
    await receiver.addFaults([{ delayMs: 3_000 }]);
    const first = startCli(['run-once', '--config', home.configPath, '--measure-date', '2024-04-01']);
    await waitFor(
      async () => ((await receiver.stats()).requests >= 1 ? true : undefined),
      30_000,
      'the submission to reach the ARS',
    );
    first.child.kill('SIGKILL');
    expect((await first.done).signal).toBe('SIGKILL');

    expect(await outboxIds(home.dataDir, 'pending')).toHaveLength(1);
    expect(await outboxIds(home.dataDir, 'done')).toHaveLength(0);
    const killed = await statusOf(home);
    expect(killed.code).toBe(1);
    expect(killed.json.runs[0]?.outcome).toBe('interrupted');
    expect(killed.json.submissions.pending).toHaveLength(1);
    expect(killed.json.problems.map((p) => p.code)).toContain('run-interrupted');

    const restart = await esms(['run-once', '--config', home.configPath, '--measure-date', '2024-04-01']);
    expect(restart.code, restart.stderr).toBe(0);
    expect(JSON.parse(restart.stdout)).toMatchObject({ outcome: 'submitted' });
    // The delayed first request also completes at the ARS: both are answered, one copy is stored.
    await waitFor(
      async () => ((await receiver.stats()).accepted >= 2 ? true : undefined),
      30_000,
      'both requests answered',
    );
    expect((await receiver.stats()).storedReports).toBe(18);
    expectReportsMatch(await receiver.reports(), await computedPromise);
    expect(await outboxIds(home.dataDir, 'pending')).toHaveLength(0);

    const after = await statusOf(home);
    expect(after.code).toBe(0);
    expect(after.json.runs.map((r) => r.outcome)).toEqual(['submitted', 'interrupted']);
    expect(after.json.problems).toEqual([]);
  });

  it('killed at random instants: after each restart, exactly one copy of each report', async () => {
    const { home, receiver } = await setup();
    // Each round uses its own measure date, so each adds 2 ESSMS × 9 measures exactly once.
    const rounds = ['2024-04-01', '2024-05-01', '2024-06-01'];
    // A small deterministic generator: the same instants (as fractions of a run) on every CI run.
    let seed = 0x2545f491;
    const random = (): number => {
      seed = (seed * 1_103_515_245 + 12_345) >>> 0;
      return seed / 2 ** 32;
    };
    let runDurationMs = 2_000; // calibrated by each restart below
    for (const [index, measureDate] of rounds.entries()) {
      const victim = startCli(['run-once', '--config', home.configPath, '--measure-date', measureDate]);
      const killAfterMs = Math.floor(random() * runDurationMs);
      await new Promise((r) => setTimeout(r, killAfterMs));
      victim.child.kill('SIGKILL');
      await victim.done;

      const startedAt = Date.now();
      const restart = await esms(['run-once', '--config', home.configPath, '--measure-date', measureDate]);
      runDurationMs = Date.now() - startedAt;
      expect(restart.code, `round ${index} (killed after ${killAfterMs} ms): ${restart.stderr}`).toBe(0);
      expect(await outboxIds(home.dataDir, 'pending')).toEqual([]);
      expect((await receiver.stats()).storedReports, `round ${index}, killed after ${killAfterMs} ms`).toBe(
        18 * (index + 1),
      );
    }
    expect(await outboxIds(home.dataDir, 'done')).toHaveLength(rounds.length);
    const final = await statusOf(home);
    expect(final.code).toBe(0);
  });
});
