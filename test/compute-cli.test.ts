import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ResultsDocument } from '@esms-numerique/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { esms, killChildren, REPO_ROOT } from './support/processes.js';

// `esms compute` through the built CLI on a hand-built export whose figures were worked out by hand
// (test/fixtures/two-essms/README.md).
const FIXTURE = join(REPO_ROOT, 'test/fixtures/two-essms/export');
let expected: ResultsDocument;
let scratch: string;

beforeAll(async () => {
  expected = JSON.parse(
    await readFile(join(REPO_ROOT, 'test/fixtures/two-essms/expected.json'), 'utf8'),
  ) as ResultsDocument;
  scratch = await mkdtemp(join(tmpdir(), 'esms-e2e-compute-'));
});
afterAll(async () => {
  await killChildren();
  await rm(scratch, { recursive: true, force: true });
});

// Each test spawns its own CLI processes: they run side by side.
describe.concurrent('esms compute (built CLI)', () => {
  it('prints the results document (contract.md §2) with the exact hand-computed figures, exit 0', async () => {
    // No --format: JSON is the default when stdout is not a terminal.
    const run = await esms(['compute', '--input', FIXTURE, '--measure-date', '2024-04-01']);
    expect(run.code).toBe(0);
    // Standard error holds only the progress's JSON phase lines (test/progress-cli.test.ts).
    for (const line of run.stderr.split('\n').filter((l) => l !== '')) {
      expect(JSON.parse(line)).toMatchObject({ level: 'info', component: 'progress' });
    }
    const doc = JSON.parse(run.stdout) as ResultsDocument;
    expect(Object.keys(doc).sort()).toEqual([
      'dataQuality',
      'denominatorScope',
      'establishments',
      'measureDate',
      'organisations',
    ]);
    expect(doc.measureDate).toBe('2024-04-01');
    expect(doc.denominatorScope).toBe('period');
    // Sorted by FINESS, every field of §2.
    expect(doc.establishments).toEqual(expected.establishments);
    expect(doc.dataQuality).toEqual(expected.dataQuality);
    // The OG roll-up sums numerators and denominators (one ESSMS here, so the same figures).
    expect(doc.organisations).toHaveLength(1);
    expect(doc.organisations[0]).toMatchObject({ finess: '750000028', establishments: ['750000010'] });
    expect(doc.organisations[0]?.indicators['taux-dossiers-actifs']).toEqual(
      expected.establishments[0]?.indicators['taux-dossiers-actifs'],
    );
  });

  it('reports a bad NDJSON line in dataQuality and computes the rest', async () => {
    const dir = join(scratch, 'with-bad-line');
    await cp(FIXTURE, dir, { recursive: true });
    const patients = join(dir, 'Patient.ndjson');
    await writeFile(patients, `${await readFile(patients, 'utf8')}{"resourceType":"Patient","id":"cut-sh\n`);
    const run = await esms(['compute', '--input', dir, '--measure-date', '2024-04-01', '--format', 'json']);
    expect(run.code).toBe(0);
    const doc = JSON.parse(run.stdout) as ResultsDocument;
    expect(doc.dataQuality.errors).toHaveLength(1);
    expect(JSON.stringify(doc.dataQuality.errors[0])).toContain('Patient.ndjson');
    expect(doc.establishments).toEqual(expected.establishments);
  });

  it('--format table shows every ESSMS with its figures', async () => {
    const run = await esms([
      'compute',
      '--input',
      FIXTURE,
      '--measure-date',
      '2024-04-01',
      '--format',
      'table',
    ]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('750000010');
    expect(run.stdout).toContain('970400024');
    expect(run.stdout).toContain('(3/4)');
    expect(run.stdout).toContain('(2/2)');
    expect(() => JSON.parse(run.stdout) as unknown).toThrow();
  });

  it('--explain FINESS lists who is in each denominator and numerator, and why not', async () => {
    const run = await esms([
      'compute',
      '--input',
      FIXTURE,
      '--measure-date',
      '2024-04-01',
      '--explain',
      '750000010',
      '--format',
      'json',
    ]);
    expect(run.code).toBe(0);
    const explanation = JSON.stringify(JSON.parse(run.stdout));
    expect(explanation).toContain('750000010');
    expect(explanation).toContain('no-update-in-period'); // p2
    expect(explanation).toContain('no-event-in-period'); // p5
    expect(explanation).not.toContain('Placeholder'); // no names

    const unknown = await esms([
      'compute',
      '--input',
      FIXTURE,
      '--measure-date',
      '2024-04-01',
      '--explain',
      '330000001',
    ]);
    expect(unknown.code).toBe(1);
  });

  it('--explain as text names the population of the scope: the period, or the calendar year (audit G11)', async () => {
    const explain = (scope: string) =>
      esms([
        'compute',
        '--input',
        FIXTURE,
        '--measure-date',
        '2024-04-01',
        '--explain',
        '750000010',
        '--format',
        'table',
        '--denominator-scope',
        scope,
      ]);
    const [period, year] = await Promise.all([explain('period'), explain('calendar-year')]);
    expect(period.code, period.stderr).toBe(0);
    expect(period.stdout).toMatch(/^ESSMS 750000010: \d+ personne\(s\) accompagnée\(s\) sur la période$/m);
    expect(year.code, year.stderr).toBe(0);
    expect(year.stdout).toMatch(/^ESSMS 750000010: \d+ personne\(s\) accompagnée\(s\) sur l'année civile$/m);
  });

  it('exits 2 with the usage on bad usage: missing --measure-date, an impossible date', async () => {
    const missing = await esms(['compute', '--input', FIXTURE]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/measure-date/);

    const bad = await esms(['compute', '--input', FIXTURE, '--measure-date', '2023-02-29']);
    expect(bad.code).toBe(2);
    expect(bad.stdout).toBe('');
  });

  it('exits 1 when nothing can be computed', async () => {
    const dir = join(scratch, 'no-essms');
    await cp(join(FIXTURE, 'Patient.ndjson'), join(dir, 'Patient.ndjson'));
    const run = await esms(['compute', '--input', dir, '--measure-date', '2024-04-01', '--format', 'json']);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/nothing could be computed/);
  });
});
