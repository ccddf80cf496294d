import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AgentHome } from './support/agent-config.js';
import { esms, killChildren, REPO_ROOT } from './support/processes.js';
import { cleanUpLoopbacks, loopbackAgent } from './support/loopback.js';

// Issue 11: the signatory's attestation from the built CLI, on the demo's sample data (5 ESSMS, 3 OGs).
const SAMPLE_DATA = join(REPO_ROOT, 'examples/sample-data');
const SAMPLE_ESSMS = ['130007313', '690007356', '750006827', '970108007', '970407680'];
const OG_CHEMINS = '750006256';
const POPPLER = '/usr/bin/pdftotext';

let home: AgentHome;
beforeAll(async () => {
  ({ home } = await loopbackAgent({ ndjsonDir: SAMPLE_DATA, establishments: SAMPLE_ESSMS }));
  for (const measureDate of ['2024-03-01', '2024-04-01']) {
    const run = await esms(['run-once', '--config', home.configPath, '--measure-date', measureDate]);
    expect(run.code, run.stderr).toBe(0);
  }
}, 60_000);
afterAll(async () => {
  await killChildren();
  await cleanUpLoopbacks();
});

describe.skipIf(!existsSync(POPPLER) && process.env['CI'] === undefined)('esms report (built CLI)', () => {
  it('--format pdf --organisation: at most 2 pages of attestation plus the annex, in French', async () => {
    const out = join(home.dir, 'attestation.pdf');
    const report = await esms([
      'report',
      '--config',
      home.configPath,
      '--format',
      'pdf',
      '--organisation',
      OG_CHEMINS,
      '--out',
      out,
    ]);
    expect(report.code, report.stderr).toBe(0);
    const pages = Number(/Pages:\s+(\d+)/.exec(execFileSync('pdfinfo', [out], { encoding: 'utf8' }))?.[1]);
    expect(pages).toBeGreaterThanOrEqual(2);
    expect(pages).toBeLessThanOrEqual(3);
    const first = execFileSync('pdftotext', ['-layout', '-f', '1', '-l', '1', out, '-'], {
      encoding: 'utf8',
    });
    expect(first).toContain('Association Les Chemins de Traverse — FINESS juridique 750006256 — 3 ESSMS');
    expect(first).toContain('1er avril 2024');
    expect(first).toContain('France métropolitaine, UTC+1 puis UTC+2');
    expect(first).toContain('✓ Preuves vérifiées');
    expect(first).toContain('Foyer de vie Les Glycines');
    expect(first).not.toContain('Les Tilleuls'); // another organisation's ESSMS
    expect(first).not.toMatch(/Europe\/Paris|esms verify|\/tmp\//);
    const all = execFileSync('pdftotext', [out, '-'], { encoding: 'utf8' });
    expect(all).toContain('Je soussigné(e)');
    expect(all).toContain('Annexe technique');
  });

  it('a measurement date without a sealed run, an unknown organisation, a missing --out directory: exit 2', async () => {
    const date = await esms(['report', '--config', home.configPath, '--measure-date', '2023-01-01']);
    expect(date.code).toBe(2);
    expect(date.stderr).toContain('sealed measurement dates: 2024-03-01, 2024-04-01');
    const og = await esms(['report', '--config', home.configPath, '--organisation', '130000001']);
    expect(og.code).toBe(2);
    expect(og.stderr).toContain('750006256 (Association Les Chemins de Traverse)');
    // A data error is the message alone; bad usage (a malformed flag) gets the usage text (issue 11 A8).
    expect(date.stderr).not.toContain('Usage:');
    expect(og.stderr).not.toContain('Usage:');
    const malformed = await esms(['report', '--config', home.configPath, '--organisation', 'abc']);
    expect(malformed.code).toBe(2);
    expect(malformed.stderr).toContain('Usage:');
    const out = await esms(['report', '--config', home.configPath, '--out', '/nonexistent/dir/r.pdf']);
    expect(out.code).toBe(2);
    expect(out.stderr).toContain('the directory /nonexistent/dir does not exist');
    expect(existsSync('/nonexistent')).toBe(false);
  });

  it('--measure-date: the earlier attestation can still be printed', async () => {
    const out = join(home.dir, 'mars.html');
    const report = await esms([
      'report',
      '--config',
      home.configPath,
      '--measure-date',
      '2024-03-01',
      '--out',
      out,
    ]);
    expect(report.code, report.stderr).toBe(0);
    const page = await readFile(out, 'utf8');
    expect(page).toContain('mesure du 1er mars 2024');
    expect(page).toContain('Fondation Caraïbes Solidarité');
  });

  it('export --format csv --excel-fr opens in a French spreadsheet', async () => {
    const csv = await esms(['export', '--format', 'csv', '--excel-fr', '--config', home.configPath]);
    expect(csv.code, csv.stderr).toBe(0);
    expect(csv.stdout.startsWith('\uFEFFmeasure_date;')).toBe(true);
    expect(csv.stdout).toMatch(/;taux-dmp;\d+;\d+;\d+(,\d)?;70;(true|false);;SSIAD Les Flamboyants\r\n/);
  });
});
