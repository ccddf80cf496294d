import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ResultsDocument } from '@esms-numerique/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { journalTypes, outboxIds, type AgentHome } from './support/agent-config.js';
import { computeFixture, expectReportsMatch, FIXTURE_EXPORT } from './support/expectations.js';
import { esms, killChildren, startCli, waitFor } from './support/processes.js';
import { cleanUpLoopbacks, loopbackAgent } from './support/loopback.js';
import { startFhirServer } from './support/servers.js';

// The whole pipeline through the built CLI: examples/fhir-server serves the fixture export, the agent
// pulls it, computes, seals, submits to examples/receiver (each test its own), stores the receipt.
const MEASURE_DATE = '2024-04-01';
let fhirUrl: string;
let computed: ResultsDocument;

beforeAll(async () => {
  [fhirUrl, computed] = await Promise.all([startFhirServer(FIXTURE_EXPORT), computeFixture(MEASURE_DATE)]);
});
afterAll(async () => {
  await killChildren();
  await cleanUpLoopbacks();
});

function setup(options: { initialDelayMs?: number } = {}): ReturnType<typeof loopbackAgent> {
  return loopbackAgent({ fhirUrl, ...options });
}

interface StatusJson {
  runs: Array<{ outcome: string; measureDate: string; trigger: string }>;
  submissions: {
    delivered: number;
    pending: Array<{ attempts: number; lastStatus: number | null; lastError: string | null }>;
    failed: Array<{ code: string; status: number | null; reason: string }>;
  };
  problems: Array<{ code: string }>;
}

async function status(home: AgentHome): Promise<{ code: number | null; json: StatusJson }> {
  const run = await esms(['status', '--config', home.configPath, '--format', 'json']);
  return { code: run.code, json: JSON.parse(run.stdout) as StatusJson };
}

describe.concurrent('esms run-once over loopback (fhir-server → agent → receiver)', () => {
  it('stores exactly one MeasureReport per ESSMS × measure, with the figures of esms compute; evidence and status agree', async () => {
    const { home, receiver } = await setup();
    const run = await esms(['run-once', '--config', home.configPath, '--measure-date', MEASURE_DATE]);
    expect(run.code, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({
      outcome: 'submitted',
      measureDate: MEASURE_DATE,
      missingEstablishments: [],
    });

    expectReportsMatch(await receiver.reports(), computed);
    expect(await journalTypes(home.dataDir)).toEqual([
      'run-sealed',
      'submission-sealed',
      'submission-receipt',
    ]);
    expect(await outboxIds(home.dataDir, 'done')).toHaveLength(1);

    const [json, text] = await Promise.all([status(home), esms(['status', '--config', home.configPath])]);
    expect(json.code).toBe(0);
    expect(json.json.runs[0]).toMatchObject({
      outcome: 'submitted',
      measureDate: MEASURE_DATE,
      trigger: 'manual',
    });
    expect(json.json.submissions).toMatchObject({ delivered: 1, pending: [], failed: [] });
    expect(json.json.problems).toEqual([]);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/D=2024-04-01\s+submitted/);
    expect(text.stdout).toContain('OK: nothing needs attention.');
    // Logs carry figures, never the placeholder names of the fixture.
    expect(run.stderr).not.toContain('Placeholder');

    // The sealed figures, exported for an ARS portal: the same numerators and denominators.
    const [csv, fhir] = await Promise.all([
      esms(['export', '--format', 'csv', '--config', home.configPath]),
      esms(['export', '--format', 'fhir', '--config', home.configPath, '--measure-date', MEASURE_DATE]),
    ]);
    expect(csv.code, csv.stderr).toBe(0);
    for (const e of computed.establishments) {
      const r = e.indicators['taux-dossiers-actifs'];
      expect(csv.stdout).toContain(`,${e.finess},`);
      expect(csv.stdout).toContain(`taux-dossiers-actifs,${r.numerator},${r.denominator},`);
    }
    expect(fhir.code, fhir.stderr).toBe(0);
    const bundle = JSON.parse(fhir.stdout) as {
      type: string;
      entry: { resource: { resourceType: string } }[];
    };
    expect(bundle.type).toBe('collection');
    expect(bundle.entry.length).toBe((await receiver.reports()).length);
  });

  it('two 503s then a lost answer (stored, connection dropped): still exactly one stored copy', async () => {
    const { home, receiver } = await setup();
    await receiver.addFaults([{ status: 503, retryAfter: 0, times: 2 }, { dropAfterStore: true }]);
    const run = await esms(['run-once', '--config', home.configPath, '--measure-date', MEASURE_DATE]);
    expect(run.code, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ outcome: 'submitted' });

    const stats = await receiver.stats();
    expect(stats).toMatchObject({ requests: 4, storedReports: 18, idempotentReplays: 1, pendingFaults: 0 });
    expectReportsMatch(await receiver.reports(), computed);
    // One receipt: the lost answer was never recorded as one.
    expect(await journalTypes(home.dataDir)).toEqual([
      'run-sealed',
      'submission-sealed',
      'submission-receipt',
    ]);
    const after = await status(home);
    expect(after.code).toBe(0);
    expect(after.json.runs[0]?.outcome).toBe('submitted');
  });

  it('while the ARS answers 503, status shows the submission pending with its attempts (exit 0), then submitted', async () => {
    const { home, receiver } = await setup();
    // The ARS keeps answering 503 (Retry-After: 1 s) until the test has looked, then recovers.
    await receiver.addFaults([{ status: 503, retryAfter: 1, times: 1_000 }]);
    const background = startCli(['run-once', '--config', home.configPath, '--measure-date', MEASURE_DATE]);
    const [id] = await waitFor(
      async () => {
        const ids = await outboxIds(home.dataDir, 'pending');
        if (ids.length === 0) return undefined;
        const item = JSON.parse(
          await readFile(join(home.dataDir, 'outbox', 'pending', `${ids[0]}.json`), 'utf8'),
        ) as { attempts: number };
        return item.attempts >= 1 ? ids : undefined;
      },
      20_000,
      'a failed attempt recorded in the outbox',
    );
    expect(id).toMatch(/^[0-9a-f]{64}$/);

    const during = await status(home);
    expect(during.code).toBe(0);
    expect(during.json.runs[0]?.outcome).toBe('running');
    expect(during.json.submissions.pending).toHaveLength(1);
    expect(during.json.submissions.pending[0]).toMatchObject({ lastStatus: 503 });
    expect(during.json.submissions.pending[0]?.attempts).toBeGreaterThanOrEqual(1);
    expect(during.json.submissions.delivered).toBe(0);
    expect(during.json.problems).toEqual([]);

    await receiver.clearFaults();
    const done = await background.done;
    expect(done.code, done.stderr).toBe(0);
    const after = await status(home);
    expect(after.code).toBe(0);
    expect(after.json.runs[0]?.outcome).toBe('submitted');
    expect(after.json.submissions).toMatchObject({ delivered: 1, pending: [] });
    expect((await receiver.stats()).storedReports).toBe(18);
  });

  it('a permanent 4xx is kept as failed, never retried: run-once exit 1, status exit 1 with the reason', async () => {
    const { home, receiver } = await setup();
    await receiver.addFaults([{ status: 422 }]);
    const run = await esms(['run-once', '--config', home.configPath, '--measure-date', MEASURE_DATE]);
    expect(run.code).toBe(1);
    expect(JSON.parse(run.stdout)).toMatchObject({ outcome: 'failed' });
    expect(await receiver.stats()).toMatchObject({ requests: 1, storedReports: 0 });
    expect(await journalTypes(home.dataDir)).toEqual([
      'run-sealed',
      'submission-sealed',
      'submission-failed',
    ]);

    const after = await status(home);
    expect(after.code).toBe(1);
    expect(after.json.submissions.failed).toHaveLength(1);
    expect(after.json.submissions.failed[0]).toMatchObject({ code: 'submission-permanent', status: 422 });
    expect(after.json.submissions.failed[0]?.reason).toMatch(/422/);
    expect(after.json.problems.map((p) => p.code)).toContain('submission-failed');
  });
});
