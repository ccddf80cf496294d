import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { journalTypes, outboxIds, type AgentHome } from './support/agent-config.js';
import { FIXTURE_EXPORT } from './support/expectations.js';
import { esms, killChildren } from './support/processes.js';
import { cleanUpLoopbacks, loopbackAgent } from './support/loopback.js';

// Issue 8, points 3 and 4, through the built CLI: a kept failure sent again, and the CLI's promises
// (bad usage records nothing, a bounded wait, nothing sealed is not tampering).
const MEASURE_DATE = '2024-04-01';
const TOKEN_ENV = 'ESMS_E2E_ARS_TOKEN';
let scratch: string;

beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'esms-e2e-install-'));
});
afterAll(async () => {
  await killChildren();
  await cleanUpLoopbacks();
  await rm(scratch, { recursive: true, force: true });
});

interface StatusJson {
  runs: Array<{ outcome: string }>;
  submissions: {
    delivered: number;
    pending: unknown[];
    failed: Array<{ id: string; kind: string; code: string; status: number | null }>;
  };
  problems: Array<{ code: string; message: string }>;
}

async function status(home: AgentHome): Promise<{ code: number | null; json: StatusJson }> {
  const run = await esms(['status', '--config', home.configPath, '--format', 'json']);
  return { code: run.code, json: JSON.parse(run.stdout) as StatusJson };
}

async function runRecords(home: AgentHome): Promise<string[]> {
  return readdir(join(home.dataDir, 'runs')).catch(() => [] as string[]);
}

describe.concurrent('esms resend (built CLI)', () => {
  it('refused with a 401 (wrong token), token fixed, esms resend: delivered once, evidence verifies', async () => {
    const tokenFile = join(scratch, 'ars-token');
    await writeFile(tokenFile, 'the-right-token\n');
    const { home, receiver } = await loopbackAgent(
      {
        ndjsonDir: FIXTURE_EXPORT,
        arsExtra: [`  auth: { type: bearer, token: { env: ${TOKEN_ENV} } }`],
      },
      ['--bearer-token-file', tokenFile],
    );
    const refused = await esms(['run-once', '--config', home.configPath, '--measure-date', MEASURE_DATE], {
      [TOKEN_ENV]: 'a-wrong-token',
    });
    expect(refused.code, refused.stderr).toBe(1);
    expect(JSON.parse(refused.stdout)).toMatchObject({ outcome: 'failed' });
    const before = await status(home);
    expect(before.code).toBe(1);
    expect(before.json.submissions.failed).toEqual([
      expect.objectContaining({ kind: 'refused', code: 'submission-permanent', status: 401 }),
    ]);
    const id = before.json.submissions.failed[0]?.id ?? '';
    expect(before.json.problems[0]?.message).toContain(`esms resend ${id.slice(0, 12)}`);

    // A re-run with the same figures does not send them blindly.
    const rerun = await esms(['run-once', '--config', home.configPath, '--measure-date', MEASURE_DATE], {
      [TOKEN_ENV]: 'the-right-token',
    });
    expect(rerun.code).toBe(1);
    expect(rerun.stderr).toContain('already refused by the ARS, not re-sent');
    expect((await receiver.stats()).requests).toBe(1);

    // The token is fixed: resend, by the id prefix status shows.
    const resent = await esms(['resend', id.slice(0, 12), '--config', home.configPath], {
      [TOKEN_ENV]: 'the-right-token',
    });
    expect(resent.code, resent.stderr).toBe(0);
    expect(resent.stdout).toContain('sent again and received');
    expect(await receiver.stats()).toMatchObject({ requests: 2, accepted: 1, storedReports: 18 });
    // The re-run sent nothing: no second submission-failed entry (follow-up F12).
    expect(await journalTypes(home.dataDir)).toEqual([
      'run-sealed',
      'submission-sealed',
      'submission-failed',
      'run-sealed',
      'submission-sealed',
      'submission-requeued',
      'submission-receipt',
    ]);
    const verify = await esms(['verify', join(home.dataDir, 'evidence')]);
    expect(verify.code, verify.stdout).toBe(0);
    const after = await status(home);
    expect(after.code).toBe(0);
    expect(after.json.submissions).toMatchObject({ delivered: 1, pending: [], failed: [] });
    // The latest run's submission was delivered by the resend; the first one was refused at the time and
    // still says so (follow-up F12).
    expect(after.json.runs.map((r) => r.outcome)).toEqual(['submitted', 'failed']);

    // Sending it again is nothing to do (it was delivered), and an unknown id is bad usage.
    const twice = await esms(['resend', id, '--config', home.configPath], { [TOKEN_ENV]: 'the-right-token' });
    expect(twice.code).toBe(0);
    expect(twice.stdout).toContain('already delivered');
    const unknown = await esms(['resend', 'deadbeefdeadbeef', '--config', home.configPath]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('Usage: esms resend');
    expect((await receiver.stats()).storedReports).toBe(18);
  });
});

describe.concurrent('the CLI keeps its promises (built CLI)', () => {
  it('run-once --measure-date 01/04/2024: exit 2 with the verb’s usage, nothing recorded', async () => {
    const { home, receiver } = await loopbackAgent({ ndjsonDir: FIXTURE_EXPORT });
    const run = await esms(['run-once', '--config', home.configPath, '--measure-date', '01/04/2024']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--measure-date must be a calendar date written YYYY-MM-DD');
    expect(run.stderr).toContain('Usage: esms run-once');
    expect(await runRecords(home)).toEqual([]);
    expect((await receiver.stats()).requests).toBe(0);
    const after = await status(home);
    expect(after.code).toBe(0);
    expect(after.json.runs).toEqual([]);
    const badWait = await esms(['run-once', '--config', home.configPath, '--wait', 'soon']);
    expect(badWait.code).toBe(2);
    expect(await runRecords(home)).toEqual([]);
  });

  it('an ARS down past the retry deadline: run-once says overdue, as status does, in seconds (follow-up F9)', async () => {
    const { home, receiver } = await loopbackAgent({
      ndjsonDir: FIXTURE_EXPORT,
      initialDelayMs: 100,
      maxDelayMs: 200,
      deadlineHours: 0.0005, // 1.8 s
    });
    await receiver.addFaults([{ status: 503, times: 1_000 }]);
    const run = await esms(['run-once', '--config', home.configPath, '--measure-date', MEASURE_DATE]);
    expect(run.code, run.stderr).toBe(1);
    const record = JSON.parse(run.stdout) as { outcome: string; error: { message: string } };
    expect(record.outcome).toBe('overdue');
    expect(record.error.message).toMatch(/still failing at its retry deadline, 2 s after it was queued/);
    const after = await status(home);
    expect(after.json.runs[0]?.outcome).toBe('overdue');
    expect(after.json.submissions.failed[0]?.kind).toBe('overdue');
  });

  it('--wait 0s seals and queues without sending (exit 75); resend names its prefix length (follow-up F13)', async () => {
    const { home, receiver } = await loopbackAgent({ ndjsonDir: FIXTURE_EXPORT });
    const run = await esms([
      'run-once',
      '--config',
      home.configPath,
      '--measure-date',
      MEASURE_DATE,
      '--wait',
      '0s',
    ]);
    expect(run.code, run.stderr).toBe(75);
    expect(JSON.parse(run.stdout)).toMatchObject({ outcome: 'pending' });
    expect(await outboxIds(home.dataDir, 'pending')).toHaveLength(1);
    expect((await receiver.stats()).requests).toBe(0);
    const next = await esms(['run-once', '--config', home.configPath, '--measure-date', MEASURE_DATE]);
    expect(next.code, next.stderr).toBe(0);
    expect((await receiver.stats()).storedReports).toBe(18);
    const help = await esms(['resend', '--help']);
    expect(help.stdout).toContain('its first digits (at least 8)');
  });

  it('run-once with the ARS down returns after --wait (exit 75), the submission pending for the next run', async () => {
    const { home, receiver } = await loopbackAgent({
      ndjsonDir: FIXTURE_EXPORT,
      initialDelayMs: 200,
      maxDelayMs: 400,
    });
    await receiver.addFaults([{ status: 503, retryAfter: 1, times: 1_000 }]);
    const run = await esms([
      'run-once',
      '--config',
      home.configPath,
      '--measure-date',
      MEASURE_DATE,
      '--wait',
      '2s',
    ]);
    expect(run.code, run.stderr).toBe(75);
    expect(JSON.parse(run.stdout)).toMatchObject({ outcome: 'pending' });
    expect(run.stderr).toContain('stays pending for the daemon or the next run');
    expect(await outboxIds(home.dataDir, 'pending')).toHaveLength(1);
    expect((await receiver.stats()).requests).toBeGreaterThanOrEqual(1);
    const during = await status(home);
    expect(during.code).toBe(0); // pending within its deadline: nothing needs a human yet
    expect(during.json.runs[0]?.outcome).toBe('pending');

    await receiver.clearFaults();
    const next = await esms(['run-once', '--config', home.configPath, '--measure-date', MEASURE_DATE]);
    expect(next.code, next.stderr).toBe(0);
    expect(await outboxIds(home.dataDir, 'pending')).toEqual([]);
    expect((await receiver.stats()).storedReports).toBe(18);
    const after = await status(home);
    expect(after.json.runs.map((r) => r.outcome)).toEqual(['submitted', 'submitted']);
  });

  it('nothing sealed yet: verify and report say so, exit 6, without the do-not-sign verdict', async () => {
    const { home } = await loopbackAgent({ ndjsonDir: FIXTURE_EXPORT });
    // Never run: no evidence store at all.
    const out = join(home.dir, 'report.html');
    const report = await esms(['report', '--config', home.configPath, '--out', out]);
    expect(report.code, report.stderr).toBe(6);
    expect(report.stderr).toContain('nothing is sealed yet');
    const page = await readFile(out, 'utf8');
    expect(page).toContain('Aucun calcul scellé pour l’instant');
    expect(page).not.toContain('Ne signez pas');
    expect(page).not.toContain('NON vérifiées');

    // After esms init: keys, no entry.
    const init = await esms(['init', '--config', join(home.dir, 'other.yaml')], {});
    expect(init.code, init.stderr).toBe(0);
    const evidence = join(home.dir, 'esms-data', 'evidence');
    const verify = await esms(['verify', evidence]);
    expect(verify.code, verify.stdout + verify.stderr).toBe(6);
    expect(verify.stdout).toContain('NOTHING SEALED YET');
    expect(verify.stdout).not.toContain('FAIL');
    // A path that does not exist is a typo, not tampering: bad usage (follow-up F5).
    const typo = await esms(['verify', join(home.dir, 'no-such-store')]);
    expect(typo.code, typo.stdout + typo.stderr).toBe(2);
    expect(typo.stderr).toContain('no-such-store: no such file or directory');
    // export and export-evidence on the store with keys and no entry: exit 6 too, a clear sentence.
    const [csv, bundle] = await Promise.all([
      esms(['export', '--format', 'csv', '--config', home.configPath]),
      esms(['export-evidence', '--config', home.configPath, '--out', join(home.dir, 'preuves.tar')]),
    ]);
    expect(csv.code, csv.stderr).toBe(6);
    expect(csv.stderr).toContain('no sealed run in');
    expect(bundle.code, bundle.stderr).toBe(6);
    expect(bundle.stderr).toContain('nothing sealed yet in');
    expect(csv.stderr + bundle.stderr).not.toContain('ENOENT');
  });

  it('export-evidence prints a verify command that works as written, from any directory (follow-up F4)', async () => {
    const { home } = await loopbackAgent({ ndjsonDir: FIXTURE_EXPORT });
    const run = await esms(['run-once', '--config', home.configPath, '--measure-date', MEASURE_DATE]);
    expect(run.code, run.stderr).toBe(0);
    const bundle = join(home.dir, 'preuves.tar');
    const exported = await esms(['export-evidence', '--config', home.configPath, '--out', bundle]);
    expect(exported.code, exported.stderr).toBe(0);
    const line = /^Verify with: (.*)$/m.exec(exported.stdout)?.[1] ?? '';
    expect(line).toMatch(/^esms verify /);
    // Run it as printed (the words after "esms", quotes removed), from another directory.
    const args = [...line.slice('esms '.length).matchAll(/"([^"]*)"|(\S+)/g)].map((m) => m[1] ?? m[2] ?? '');
    const verify = await esms(args, {}, { cwd: tmpdir() });
    expect(verify.code, verify.stdout + verify.stderr).toBe(0);
  });
});
