/**
 * The PDF as a reader gets it: rendered by pdfkit, then read back with Debian's poppler-utils (`pdfinfo`,
 * `pdftotext`, `pdftoppm`; `.ci/run` installs them): page count, A4, metadata, selectable French text,
 * and every page rasterised to PNG (left in the temp directory for a person to look at).
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildAttestation } from './build-attestation.js';
import { renderPdf } from './render-pdf.js';
import { LONG_NAME, REUNION_OG, sampleReportInput } from './__fixtures__/report-input.js';
import type { SampleOptions } from './__fixtures__/report-input.js';
import { selectReport } from './select-report.js';
import type { ReportSelection } from './select-report.js';

const POPPLER = '/usr/bin/pdftotext';
let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'esms-pdf-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function pdfOf(
  name: string,
  sample: SampleOptions = {},
  selection: ReportSelection = {},
): Promise<string> {
  const input = sampleReportInput(sample);
  const selected = input.runs.length === 0 ? null : selectReport(input, selection);
  const bytes = await renderPdf(buildAttestation(input, selected, { agent: 'esms 0.1.0 (esms-numerique)' }));
  const file = join(dir, `${name}.pdf`);
  await writeFile(file, bytes);
  return file;
}

/** The text of some pages, as laid out (`-layout`), or in reading order (`-raw`: a table cell's lines together). */
function text(
  file: string,
  pages?: { first: number; last: number },
  mode: 'layout' | 'raw' = 'layout',
): string {
  const range = pages === undefined ? [] : ['-f', String(pages.first), '-l', String(pages.last)];
  return execFileSync('pdftotext', [`-${mode}`, ...range, file, '-'], { encoding: 'utf8' });
}

function info(file: string): Record<string, string> {
  const out = execFileSync('pdfinfo', ['-isodates', file], { encoding: 'utf8' });
  return Object.fromEntries(
    out
      .split('\n')
      .map((line) => /^([^:]+):\s*(.*)$/.exec(line))
      .flatMap((m) => (m === null ? [] : [[m[1]?.trim() ?? '', m[2] ?? '']])),
  );
}

// Skipped only on a developer machine without poppler-utils: under CI (which installs it) a missing tool fails.
describe.skipIf(!existsSync(POPPLER) && process.env['CI'] === undefined)('the attestation as a PDF', () => {
  it('one A4 attestation page per organisation plus the annex, metadata, selectable French text', async () => {
    const file = await pdfOf('all');
    const meta = info(file);
    expect(meta['Pages']).toBe('3');
    expect(meta['Page size']).toMatch(/^595\.2\d? x 841\.8\d? pts \(A4\)/);
    expect(meta['Title']).toBe('Attestation d’usage du DUI — ESMS numérique — mesure du 1er avril 2024');
    expect(meta['Author']).toBe('esms 0.1.0 (esms-numerique)');
    expect(meta['CreationDate']).toMatch(/^2024-04-02T08:00:00/);

    const reunion = text(file, { first: 2, last: 2 });
    for (const expected of [
      'Attestation d’usage du dossier usager informatisé',
      'Association Les Lilas — FINESS juridique 970408589 — 2 ESSMS',
      '1er avril 2024',
      'du 1er janvier 2024 au 31 mars 2024 inclus, en heure locale',
      'La Réunion, UTC+4',
      '✓ Preuves vérifiées',
      'Projet personnalisé',
      'EHPAD Les Filaos',
      '✗ non',
      'Je soussigné(e)',
      'Fait à :',
      'Signature (et cachet de l’organisme) :',
      'page 2 sur 3',
    ]) {
      expect(reunion).toContain(expected);
    }
    // The fingerprint's groups of four are never split across lines.
    expect(reunion).toContain('1a2b 3c4d 5e6f 7a8b 9c0d 1e2f 3a4b 5c6d');
    expect(reunion).toContain('7e8f 9a0b 1c2d 3e4f 5a6b 7c8d 9e0f 1a2b');
    // Full names, never cut, with the curly apostrophe.
    expect(text(file, { first: 1, last: 1 }, 'raw').replace(/\s+/g, ' ')).toContain(
      LONG_NAME.replace("'", '’'),
    );
    // The technical detail is on the annex page only.
    expect(reunion).not.toContain('esms verify');
    const annex = text(file, { first: 3, last: 3 });
    expect(annex).toContain('Annexe technique');
    expect(annex).toContain('esms verify preuves.tar');

    execFileSync('pdftoppm', ['-png', '-r', '40', file, join(dir, 'all')]);
    expect((await readdir(dir)).filter((f) => f.startsWith('all-') && f.endsWith('.png'))).toHaveLength(3);
  });

  it('--organisation: that attestation (at most 2 pages) and the annex', async () => {
    const file = await pdfOf('one', {}, { organisation: REUNION_OG });
    expect(Number(info(file)['Pages'])).toBeLessThanOrEqual(3);
    const all = text(file);
    expect(all).toContain('Association Les Lilas');
    expect(all).not.toContain('Yvette');
  });

  it('the annex on one page for one organisation; a heading always with its text (issue 11 A1, A7)', async () => {
    const file = await pdfOf('annex', {}, { organisation: REUNION_OG });
    expect(info(file)['Pages']).toBe('2');
    const annex = text(file, { first: 2, last: 2 });
    expect(annex).toContain('Vérifier les preuves soi-même');
    expect(annex).toContain('esms verify preuves.tar');
    // The fingerprint stays whole on one line, inside its quotes.
    expect(annex).toMatch(/--fingerprint "1a2b 3c4d( [0-9a-f]{4}){14}"/);
  });

  it('a red page shows no ✓ or ✗ on figures that do not verify (issue 11 A6)', async () => {
    const file = await pdfOf('ko-figures', { ok: false });
    const page = text(file, { first: 1, last: 1 }, 'raw');
    expect(page).toContain('(non vérifié)');
    // The only ✗ on the page is the verdict's own title.
    expect(page.match(/[✓✗]/g)).toEqual(['✗']);
  });

  it('evidence that does not verify: the red verdict and no signature block', async () => {
    const file = await pdfOf('ko', { ok: false });
    const page = text(file, { first: 1, last: 1 });
    expect(page).toContain('✗ Preuves NON vérifiées : 1 problème');
    expect(page).toContain('Ne signez pas');
    expect(page).not.toContain('Je soussigné(e)');
    expect(page).not.toContain('Fait à :');
  });

  it('nothing sealed yet: one neutral page', async () => {
    const file = await pdfOf('empty', { nothingSealed: true });
    expect(info(file)['Pages']).toBe('1');
    const page = text(file);
    expect(page).toContain('Aucun calcul scellé pour l’instant');
    expect(page).not.toContain('Ne signez pas');
  });
});
