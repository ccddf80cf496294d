import { spawnSync } from 'node:child_process';
import { initialisedContext } from '../runner/__fixtures__/initialised-context.js';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createReceiver, type Receiver } from '../../../../examples/receiver/receiver.mjs';
import {
  DUI_SMALL_NDJSON,
  collectingLogger,
  type CollectedLogs,
} from '../daemon/__fixtures__/daemon-harness.js';
import { putBlob } from '../evidence/blobs.js';
import { canonicalJson, type Digest } from '../evidence/canonical-json.js';
import { readJournalEntries } from '../evidence/journal.js';
import { loadEvidenceKeys } from '../evidence/keys.js';
import { asLegacyRun, readBlobBytes, rewriteAndResign } from '../evidence/__fixtures__/tamper.js';
import type { AgentContext } from '../runner/agent-context.js';
import { runDependencies } from '../runner/run-dependencies.js';
import { resendSubmission } from '../runner/resend.js';
import { runOnce } from '../runner/run-once.js';
import { verifyEvidence } from '../evidence/verify.js';
import { writeRunRecord, type RunRecord } from '../runner/run-records.js';
import { SubmissionTransientError } from '../submit/submission-errors.js';
import { collectStatus, localDateTime } from './collect-status.js';
import { formatStatusText } from './format-status-text.js';
import { isProcessAlive } from '../shared/process-alive.js';

// A temp data directory built by the real pipeline (NDJSON → compute → seal → outbox → the reference
// receiver on loopback), then read back by `collectStatus`.
let root: string;
let receiver: Receiver;

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'esms-status-'));
  receiver = await createReceiver({ dataDir: join(root, 'ars') });
});
afterEach(async () => {
  await receiver.close();
  await rm(root, { recursive: true, force: true });
});

interface Setup {
  ctx: AgentContext;
  logs: CollectedLogs;
  status: typeof collectStatus extends (l: never, o?: infer O) => unknown
    ? (options?: O) => ReturnType<typeof collectStatus>
    : never;
}

async function setup(
  options: {
    establishments?: string[];
    sources?: string;
    ars?: boolean;
    now?: () => Date;
    retry?: string;
  } = {},
): Promise<Setup> {
  const yaml = [
    'establishments:',
    ...(options.establishments ?? ['970400024']).map((f) => `  - finess: "${f}"`),
    'sources:',
    options.sources ?? `  - { type: ndjson, paths: [${JSON.stringify(DUI_SMALL_NDJSON)}] }`,
    ...(options.ars === false
      ? []
      : [
          'ars:',
          `  endpoint: ${receiver.url}`,
          `  retry: ${options.retry ?? '{ initialDelayMs: 1, maxDelayMs: 5, deadlineHours: 72 }'}`,
        ]),
    `dataDir: ${JSON.stringify(join(root, 'data'))}`,
    '',
  ].join('\n');
  const path = join(root, 'esms.config.yaml');
  await writeFile(path, yaml);
  const logs = collectingLogger();
  const ctx = await initialisedContext(path, { logger: logs.logger, now: options.now });
  return { ctx, logs, status: (o) => collectStatus(ctx.loaded, { now: options.now, ...o }) };
}

describe('collectStatus over a data directory written by the real pipeline', () => {
  it('a submitted run: figures, one delivered submission, the receipt as last evidence entry, nothing to do', async () => {
    const { ctx, status } = await setup();
    const record = await runOnce(runDependencies(ctx), { trigger: 'manual', measureDate: '2024-04-01' });
    expect(record.outcome).toBe('submitted');

    const s = await status();
    expect(s.runs).toHaveLength(1);
    expect(s.runs[0]).toMatchObject({
      measureDate: '2024-04-01',
      outcome: 'submitted',
      trigger: 'manual',
      runId: record.runId,
    });
    const figures = record.figures[0];
    expect(s.runs[0]?.figures[0]?.rates['taux-dossiers-actifs']).toBe(
      `${figures?.rates['taux-dossiers-actifs']?.numerator}/${figures?.rates['taux-dossiers-actifs']?.denominator}`,
    );
    expect(s.submissions).toMatchObject({ delivered: 1, pending: [], failed: [], corrupt: [] });
    expect(s.evidence.lastEntry).toMatchObject({ seq: 3, type: 'submission-receipt' });
    expect(s.evidence.lastEntry?.hashPrefix).toMatch(/^[0-9a-f]{12}$/);
    expect(s.problems).toEqual([]);
    expect(formatStatusText(s)).toContain('OK: nothing needs attention.');
    expect(formatStatusText(s)).toContain('submitted');
  });

  it('the next scheduled run is the next 1st of a month at 05:00 in Europe/Paris, in the future', async () => {
    const { status } = await setup();
    const before = Date.now();
    const s = await status();
    expect(s.nextRun).not.toBeNull();
    expect(Date.parse(s.nextRun?.at ?? '')).toBeGreaterThan(before);
    expect(s.nextRun?.local).toMatch(/^\d{4}-\d{2}-01 05:00$/);
    expect(localDateTime(new Date(s.nextRun?.at ?? ''), 'Europe/Paris')).toBe(s.nextRun?.local);
    expect(s.nextRun).toMatchObject({ cron: '0 5 1 * *', timezone: 'Europe/Paris' });
  });

  it('a refused submission (422) is failed with its reason and attempts: exit-worthy, and not re-sent by a re-run', async () => {
    const { ctx, status } = await setup();
    receiver.addFaults([{ status: 422 }]);
    const first = await runOnce(runDependencies(ctx), { trigger: 'manual', measureDate: '2024-04-01' });
    expect(first.outcome).toBe('failed');

    const s = await status();
    expect(s.submissions.failed).toHaveLength(1);
    expect(s.submissions.failed[0]).toMatchObject({
      code: 'submission-permanent',
      status: 422,
      attempts: 1,
      superseded: false,
    });
    expect(s.submissions.failed[0]?.reason).toMatch(/422|Injected fault/);
    expect(s.problems.map((p) => p.code)).toEqual(['submission-failed']);
    expect(s.evidence.lastEntry?.type).toBe('submission-failed');

    const again = await runOnce(runDependencies(ctx), { trigger: 'manual', measureDate: '2024-04-01' });
    expect(again.outcome).toBe('failed');
    expect(receiver.stats().requests).toBe(1);
  });

  it('a pending submission shows attempts and last error; past its retry deadline it needs a human', async () => {
    const { ctx, status } = await setup();
    const controller = new AbortController();
    // The ARS answers 503 and the agent is stopped before the next attempt.
    const transport = {
      send: (): Promise<never> => {
        controller.abort();
        return Promise.reject(new SubmissionTransientError('HTTP 503 from the ARS', { status: 503 }));
      },
    };
    const record = await runOnce(runDependencies(ctx, { transport }), {
      trigger: 'manual',
      measureDate: '2024-04-01',
      signal: controller.signal,
    });
    expect(record.outcome).toBe('pending');

    const s = await status();
    expect(s.submissions.pending).toHaveLength(1);
    const pending = s.submissions.pending[0];
    expect(pending).toMatchObject({
      id: record.submissionId,
      attempts: 1,
      lastStatus: 503,
      lastError: 'HTTP 503 from the ARS',
    });
    expect(s.problems).toEqual([]);
    expect(formatStatusText(s)).toMatch(/1 pending/);

    const afterDeadline = new Date(Date.parse(pending?.deadline ?? '') + 1);
    const late = await status({ now: () => afterDeadline });
    expect(late.problems.map((p) => p.code)).toEqual(['submission-past-deadline']);

    // Delivered later (a resume): the run record is brought up to date and nothing is left to do.
    const resumed = await runOnce(runDependencies(ctx), { trigger: 'manual', measureDate: '2024-04-01' });
    expect(resumed.outcome).toBe('submitted');
    const done = await status();
    expect(done.submissions).toMatchObject({ delivered: 1, pending: [] });
    expect(done.runs.map((r) => r.outcome)).toEqual(['submitted', 'submitted']);
    expect(done.problems).toEqual([]);
  });

  it('an ARS down until the retry deadline: the submission is overdue, not refused; esms resend delivers it once', async () => {
    let clockMs = Date.parse('2024-04-01T05:00:00Z');
    const now = (): Date => new Date(clockMs);
    const { ctx, logs, status } = await setup({
      now,
      retry: '{ initialDelayMs: 60000, maxDelayMs: 3600000, deadlineHours: 72 }',
    });
    let sends = 0;
    const down = {
      send: (): Promise<never> => {
        sends += 1;
        return Promise.reject(new SubmissionTransientError('HTTP 503 from the ARS', { status: 503 }));
      },
    };
    // Waiting moves the clock: the 72 h of retries take no time.
    const sleep = (ms: number): Promise<void> => {
      clockMs += ms;
      return Promise.resolve();
    };
    const record = await runOnce(runDependencies(ctx, { transport: down, sleep }), {
      trigger: 'manual',
      measureDate: '2024-04-01',
    });
    expect(record.outcome).toBe('failed');
    expect(record.error?.code).toBe('submission-deadline');
    expect(sends).toBeGreaterThan(1);
    const messages = logs.records().map((r) => String(r['msg']));
    expect(messages).toContain('run overdue');
    expect(messages).toContainEqual(
      expect.stringMatching(/^submission overdue: still failing at its retry deadline/),
    );
    expect(messages.filter((m) => /refused/.test(m))).toEqual([]);

    const s = await status();
    expect(s.runs[0]?.outcome).toBe('overdue');
    expect(s.submissions.failed).toEqual([
      expect.objectContaining({ kind: 'overdue', code: 'submission-deadline', status: 503 }),
    ]);
    expect(s.problems.map((p) => p.code)).toEqual(['submission-overdue']);
    expect(s.problems[0]?.message).toContain(`esms resend ${record.submissionId?.slice(0, 12)}`);
    const text = formatStatusText(s);
    expect(text).toMatch(/0 refused, 1 overdue/);
    expect(text).toMatch(/\n {2}overdue +[0-9a-f]{12}/);
    expect(text).not.toMatch(/refused by/);

    // A later run of the same figures does not send them blindly: it says they are overdue.
    const again = await runOnce(runDependencies(ctx, { transport: down, sleep }), {
      trigger: 'manual',
      measureDate: '2024-04-01',
    });
    expect(again.error?.message).toMatch(/^already overdue .*esms resend [0-9a-f]{12}$/);

    // The ARS is back: resend (a prefix of the id, as status shows it) delivers it, once.
    const id = record.submissionId ?? '';
    const result = await resendSubmission(runDependencies(ctx), id.slice(0, 12));
    expect(result).toMatchObject({ id, found: 'failed', outcome: 'done' });
    expect(receiver.stats()).toMatchObject({ accepted: 1 });
    const after = await status();
    expect(after.problems).toEqual([]);
    expect(after.submissions).toMatchObject({ delivered: 1, pending: [], failed: [] });
    // The first run was overdue at the time and still says so; the latest got the receipt (follow-up F12).
    expect(after.runs.map((r) => r.outcome)).toEqual(['submitted', 'overdue']);
    const evidence = join(ctx.dataDir, 'evidence');
    // The re-run sent nothing: no second submission-failed entry.
    expect((await readJournalEntries(evidence)).map((e) => e.type)).toEqual([
      'run-sealed',
      'submission-sealed',
      'submission-failed',
      'run-sealed',
      'submission-sealed',
      'submission-requeued',
      'submission-receipt',
    ]);
    const verification = await verifyEvidence(evidence);
    expect(verification.findings).toEqual([]);

    // Nothing left to resend.
    await expect(resendSubmission(runDependencies(ctx), id)).resolves.toMatchObject({ found: 'done' });
    await expect(resendSubmission(runDependencies(ctx), 'abcdef0123')).rejects.toThrow(/no submission/);
  });

  it('a run left running by a dead process is interrupted until a later run succeeds', async () => {
    const { ctx, status } = await setup();
    const dead = spawnSync(process.execPath, ['-e', '']).pid ?? 0;
    expect(isProcessAlive(dead)).toBe(false);
    expect(isProcessAlive(process.pid)).toBe(true);
    await writeRunRecord(ctx.dataDir, runningRecord(dead, '2000-01-01T00:00:00.000Z'));

    const s = await status();
    expect(s.runs[0]?.outcome).toBe('interrupted');
    expect(s.problems.map((p) => p.code)).toEqual(['run-interrupted']);

    await runOnce(runDependencies(ctx), { trigger: 'manual', measureDate: '2024-04-01' });
    const after = await status();
    expect(after.runs.map((r) => r.outcome)).toEqual(['submitted', 'interrupted']);
    expect(after.problems).toEqual([]);
  });

  it('a run still going in a live process is shown as running, not a problem', async () => {
    const { ctx, status } = await setup();
    await writeRunRecord(ctx.dataDir, runningRecord(process.pid, '2000-01-01T00:00:00.000Z'));
    const s = await status();
    expect(s.runs[0]?.outcome).toBe('running');
    expect(s.problems).toEqual([]);
  });

  it('reports a corrupt outbox file without touching it', async () => {
    const { ctx, status } = await setup();
    await runOnce(runDependencies(ctx), { trigger: 'manual', measureDate: '2024-04-01' });
    const file = join(ctx.dataDir, 'outbox', 'pending', `${'ab'.repeat(32)}.json`);
    await mkdir(join(ctx.dataDir, 'outbox', 'pending'), { recursive: true });
    await writeFile(file, '{"formatVersion":1,"id":"cut sho');
    const s = await status();
    expect(s.submissions.corrupt).toEqual([{ file, reason: 'not valid JSON (a write was cut short?)' }]);
    expect(s.problems.map((p) => p.code)).toEqual(['outbox-corrupt']);
  });

  it('names a configured ESSMS missing from the last run', async () => {
    const { ctx, status } = await setup({ establishments: ['970400024', '750000010'] });
    const record = await runOnce(runDependencies(ctx), { trigger: 'manual', measureDate: '2024-04-01' });
    expect(record.missingEstablishments).toEqual(['750000010']);
    const s = await status();
    expect(s.missingEstablishments).toEqual(['750000010']);
    expect(s.problems.map((p) => p.code)).toEqual(['establishment-missing']);
    expect(formatStatusText(s)).toContain('750000010');
  });

  it('a last run in error needs a human', async () => {
    const { ctx, status } = await setup({
      sources: `  - { type: ndjson, paths: [${JSON.stringify(join(root, 'no-such-export'))}] }`,
      ars: false,
    });
    const record = await runOnce(runDependencies(ctx), { trigger: 'manual', measureDate: '2024-04-01' });
    expect(record.outcome).toBe('error');
    const s = await status();
    expect(s.runs[0]?.outcome).toBe('error');
    expect(s.problems.map((p) => p.code)).toEqual(['last-run-error']);
    expect(s.evidence.lastEntry).toBeNull();
  });

  it('the last sealed run would not verify (figures of an ESSMS that was not submitted): a problem, not OK', async () => {
    const { ctx, status } = await setup();
    await runOnce(runDependencies(ctx), { trigger: 'manual', measureDate: '2024-04-01' });
    const clean = await status();
    expect(clean.evidence.lastRun).toMatchObject({ seq: 1, measureDate: '2024-04-01', problem: null });
    // What esms 0.1.0 sealed with a config listing fewer ESSMS than the data: every ESSMS in the results.
    const evidence = join(ctx.dataDir, 'evidence');
    const { privateKey } = await loadEvidenceKeys(evidence);
    const [sealed] = await readJournalEntries(evidence);
    const digest = (sealed?.payload['results'] as { digest: Digest }).digest;
    const results = JSON.parse((await readBlobBytes(evidence, digest)).toString('utf8')) as {
      establishments: Array<{ finess: string }>;
    };
    const first = results.establishments[0];
    if (first === undefined) throw new Error('fixture changed');
    results.establishments.push({ ...first, finess: '750000010' });
    const forged = await putBlob(evidence, canonicalJson(results));
    await rewriteAndResign(evidence, privateKey, (entries) => {
      const all = asLegacyRun(entries, 0);
      const entry = all[0];
      if (entry === undefined) return all;
      const legacy: Record<string, unknown> = { ...entry.payload, results: forged };
      delete legacy['scope'];
      entry.payload = legacy;
      return all;
    });
    const s = await status();
    expect(s.evidence.lastRun?.problem).toMatch(/750000010.*sealed before runs sealed their scope/);
    expect(s.problems.map((p) => p.code)).toEqual(['evidence-inconsistent']);
    expect(formatStatusText(s)).not.toContain('OK: nothing needs attention.');
    expect(formatStatusText(s)).toContain('would NOT verify');
  });

  it("shows times on the schedule's wall clock (Europe/Paris), not in UTC; JSON keeps the instants", async () => {
    const now = (): Date => new Date('2024-04-01T03:00:07.000Z'); // 05:00:07 in Paris (summer time)
    const { ctx, status } = await setup({ now });
    const record = await runOnce(runDependencies(ctx), { trigger: 'manual', measureDate: '2024-04-01' });
    const s = await status();
    expect(s.timezone).toBe('Europe/Paris');
    expect(s.runs[0]?.startedAt).toBe(record.startedAt);
    const text = formatStatusText(s);
    expect(text).toContain('Times in Europe/Paris (schedule.timezone)');
    expect(text).toContain('started 2024-04-01 05:00:07');
    expect(text).toMatch(
      /Evidence journal: last entry #3 submission-receipt [0-9a-f]{12}… at 2024-04-01 05:00:07/,
    );
    expect(text).not.toContain('2024-04-01T03:00:07');
  });

  it('an empty data directory: no runs, nothing to do', async () => {
    const { status } = await setup();
    const s = await status();
    expect(s.runs).toEqual([]);
    expect(s.submissions).toEqual({ delivered: 0, pending: [], failed: [], corrupt: [] });
    expect(s.problems).toEqual([]);
    expect(formatStatusText(s)).toContain('Runs: none yet');
  });
});

function runningRecord(pid: number, startedAt: string): RunRecord {
  return {
    runId: '20000101T000000Z-dead',
    trigger: 'schedule',
    measureDate: '2000-01-01',
    startedAt,
    finishedAt: null,
    durationMs: null,
    outcome: 'running',
    pid,
    submissionId: null,
    recordsRead: null,
    dataQuality: null,
    figures: [],
    missingEstablishments: [],
    error: null,
  };
}
