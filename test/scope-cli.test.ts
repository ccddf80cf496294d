import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
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

describe('a configured ESSMS absent from the data is said everywhere (follow-up F1)', () => {
  it('run-once seals an establishment-absent error; the report and the CSV export name it', async () => {
    const ABSENT = '750000002';
    const { home } = await loopbackAgent({ ndjsonDir: SAMPLE_DATA, establishments: [CONFIGURED, ABSENT] });
    const run = await esms(['run-once', '--config', home.configPath, '--measure-date', MEASURE_DATE]);
    expect(run.code, run.stderr).toBe(0);
    const record = JSON.parse(run.stdout) as {
      missingEstablishments: string[];
      dataQuality: { errors: number };
    };
    expect(record.missingEstablishments).toEqual([ABSENT]);
    expect(record.dataQuality.errors).toBeGreaterThan(0);

    // Sealed in the results: the evidence itself says the ESSMS had no figures.
    const bundle = join(home.dir, 'preuves.tar');
    const exported = await esms(['export-evidence', '--config', home.configPath, '--out', bundle]);
    expect(exported.code, exported.stderr).toBe(0);
    const verify = await esms(['verify', bundle]);
    expect(verify.code, verify.stdout + verify.stderr).toBe(0);

    const out = join(home.dir, 'report.html');
    const report = await esms(['report', '--config', home.configPath, '--format', 'html', '--out', out]);
    expect(report.code, report.stderr).toBe(0);
    const page = await readFile(out, 'utf8');
    expect(page).toContain('ESSMS configurés absents des données');
    expect(page).toContain(
      `FINESS géographique ${ABSENT} : aucun chiffre, Vérification d’Aptitude non établie`,
    );
    expect(page).toContain('absent des données lues');

    const csv = await esms(['export', '--format', 'csv', '--config', home.configPath]);
    expect(csv.code, csv.stderr).toBe(0);
    const absentRows = csv.stdout.split('\r\n').filter((row) => row.split(',')[3] === ABSENT);
    expect(absentRows).toEqual([`${MEASURE_DATE},,,${ABSENT},,establishment-absent,,,,,,,`]);
    expect(csv.stderr).toContain(`absent from the data of this run, no figures exported for them: ${ABSENT}`);
  });
});

describe('the sealed projection holds what the configured ESSMS need, no more (follow-up F2)', () => {
  it('1 of 5 configured: no organisation name of another legal entity in the evidence; verify recomputes from it', async () => {
    const { home } = await loopbackAgent({ ndjsonDir: SAMPLE_DATA, establishments: [CONFIGURED] });
    const run = await esms(['run-once', '--config', home.configPath, '--measure-date', MEASURE_DATE]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).not.toContain('the whole projection is sealed');
    const blobs = join(home.dataDir, 'evidence', 'blobs', 'sha256');
    const names = (await readdir(blobs, { recursive: true })).filter((n) => n.endsWith('.gz'));
    const sealed = (
      await Promise.all(names.map(async (n) => gunzipSync(await readFile(join(blobs, n))).toString('utf8')))
    ).join('\n');
    // The configured ESSMS and its organisme gestionnaire are named; the other entities are not.
    expect(sealed).toContain('SSIAD Les Tilleuls');
    expect(sealed).toContain('Association Réunionnaise Les Filaos');
    for (const other of [
      'Les Chemins de Traverse',
      'Fondation Caraïbes Solidarité',
      'Les Glycines',
      'Le Bois Joli',
    ])
      expect(sealed).not.toContain(other);
    const journal = (await readFile(join(home.dataDir, 'evidence', 'journal.ndjson'), 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { type: string; payload: { projection?: { count: number } } });
    const count = journal.find((e) => e.type === 'run-sealed')?.payload.projection?.count ?? 0;
    // Sample data: 9 948 facts in all; the ESSMS's 16 persons and 2 organisations need about a tenth.
    expect(count).toBeGreaterThan(0);
    expect(count).toBeLessThan(2000);
    const verify = await esms(['verify', join(home.dataDir, 'evidence')]);
    expect(verify.code, verify.stdout + verify.stderr).toBe(0);
  });
});
