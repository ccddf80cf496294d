import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Bundle, MeasureReport } from 'fhir/r4.js';
import { afterAll, describe, expect, it } from 'vitest';
import { SUBMITTED_MEASURES } from './support/expectations.js';
import { esms, killChildren, REPO_ROOT } from './support/processes.js';
import { cleanUpLoopbacks, loopbackAgent } from './support/loopback.js';

// Issue 8.1: the normal installation, one organisation's agent reading a DUI that holds other ESSMS too.
// examples/sample-data holds 5 ESSMS; the config lists one of them.
const SAMPLE_DATA = join(REPO_ROOT, 'examples/sample-data');
const CONFIGURED = '970407680';
const MEASURE_DATE = '2024-04-01';

afterAll(async () => {
  await killChildren();
  await cleanUpLoopbacks();
});

describe('the configured ESSMS are the scope, everywhere (built CLI)', () => {
  it('1 of 5 configured: run-once submits it only, verify exits 0, the report says verified, export holds it only', async () => {
    const { home, receiver } = await loopbackAgent({
      ndjsonDir: SAMPLE_DATA,
      establishments: [CONFIGURED],
    });
    const run = await esms(['run-once', '--config', home.configPath, '--measure-date', MEASURE_DATE]);
    expect(run.code, run.stderr).toBe(0);
    const record = JSON.parse(run.stdout) as { outcome: string; figures: { finess: string }[] };
    expect(record.outcome).toBe('submitted');
    expect(record.figures.map((f) => f.finess)).toEqual([CONFIGURED]);
    // The others are named once in the log, and never submitted.
    expect(run.stderr).toContain('ESSMS in the data but not in the config');
    const stored = await receiver.reports();
    expect(stored).toHaveLength(SUBMITTED_MEASURES.length);
    expect(new Set(stored.map((r) => r.reporter?.identifier?.value))).toEqual(new Set([CONFIGURED]));

    const verify = await esms(['verify', join(home.dataDir, 'evidence')]);
    expect(verify.code, verify.stdout + verify.stderr).toBe(0);
    expect(verify.stdout).toContain('VERIFIED');

    const out = join(home.dir, 'report.html');
    const report = await esms(['report', '--config', home.configPath, '--out', out]);
    expect(report.code, report.stderr).toBe(0);
    const page = await readFile(out, 'utf8');
    expect(page).toContain('Preuves vérifiées');
    expect(page).not.toContain('Ne signez pas');
    // An ESSMS outside the config has no figures in the report; the annex names it once, by its FINESS,
    // as present in the data but not configured (issue 11 A5), and nowhere else.
    expect(page.split('130007313')).toHaveLength(2);
    expect(page).toMatch(/absents? de la configuration : ni scellés?, ni transmis : [^<]*FINESS 130007313/);

    const [csv, fhir, status] = await Promise.all([
      esms(['export', '--format', 'csv', '--config', home.configPath]),
      esms(['export', '--format', 'fhir', '--config', home.configPath]),
      esms(['status', '--config', home.configPath, '--format', 'json']),
    ]);
    expect(csv.code, csv.stderr).toBe(0);
    const rows = csv.stdout.trim().split('\n').slice(1);
    expect(rows.length).toBeGreaterThan(0);
    expect(new Set(rows.map((row) => row.split(',')[3]))).toEqual(new Set([CONFIGURED]));
    expect(fhir.code, fhir.stderr).toBe(0);
    const bundle = JSON.parse(fhir.stdout) as Bundle;
    const exported = (bundle.entry ?? []).map((e) => e.resource as MeasureReport);
    expect(exported).toHaveLength(SUBMITTED_MEASURES.length);
    expect(new Set(exported.map((r) => r.reporter?.identifier?.value))).toEqual(new Set([CONFIGURED]));

    expect(status.code, status.stdout).toBe(0);
    const json = JSON.parse(status.stdout) as {
      problems: unknown[];
      evidence: { lastRun: { problem: null } };
    };
    expect(json.problems).toEqual([]);
    expect(json.evidence.lastRun.problem).toBeNull();
  });
});
