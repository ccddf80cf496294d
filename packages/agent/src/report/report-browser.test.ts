/**
 * The report as a signatory sees it: `esms report` on a real evidence store, opened in headless Chromium.
 * Checks that the key figures are on the page and that the page makes no request beyond its own file.
 * Needs Debian's chromium at /usr/bin/chromium (CI installs it; `apt-get install -y chromium`).
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runReport } from '../commands/report.js';
import { recordFailure, recordReceipt } from '../evidence/seal.js';
import { openEvidenceStore } from '../evidence/store.js';
import { sealToyRun } from '../evidence/__fixtures__/seal-toy-run.js';
import { toyCompute, toyFacts, toyRules } from '../evidence/__fixtures__/toy-rules.js';
import { frenchPercent } from './french/typography.js';

const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
/** Where the screenshot is left for a person to look at. */
const SCREENSHOT_PATH = join(tmpdir(), 'esms-report-screenshot.png');

let dir: string;
let outFile: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'esms-report-'));
  let tick = 0;
  const store = await openEvidenceStore(join(dir, 'evidence'), {
    create: true,
    now: () => new Date(Date.UTC(2024, 3, 1, 5, tick++)),
  });
  const dates = ['2024-01-01', '2024-02-01', '2024-03-01', '2024-04-01'];
  for (const [index, measureDate] of dates.entries()) {
    const runId = `run-${measureDate}`;
    await sealToyRun(store, { runId, measureDate, variant: index % 3 });
    if (index === 1)
      await recordFailure(store, {
        runId,
        submissionId: `sub-${runId}`,
        code: 'submission-permanent',
        message: 'HTTP 400',
      });
    else
      await recordReceipt(store, {
        runId,
        submissionId: `sub-${runId}`,
        receipt: { resourceType: 'Bundle', type: 'transaction-response' },
      });
  }
  outFile = join(dir, 'rapport.html');
  const written: string[] = [];
  const result = await runReport(
    { evidenceDir: store.dir, out: outFile },
    { stdout: { write: (t: string) => written.push(t) } },
    { now: () => new Date('2024-04-02T08:00:00Z'), verifyOptions: { rules: toyRules } },
  );
  expect(result.ok).toBe(true);
  expect(written.join('')).toContain(outFile);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

// Skipped only on a developer machine without Chromium: under CI (which installs it) a missing browser fails.
describe.skipIf(!existsSync(CHROMIUM) && process.env['CI'] === undefined)('the report in a browser', () => {
  it('shows the key figures, makes no external request, and prints to A4', async () => {
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
    try {
      const page = await browser.newPage({ viewport: { width: 900, height: 1200 } });
      const requests: string[] = [];
      page.on('request', (request) => requests.push(request.url()));
      await page.goto(pathToFileURL(outFile).href);
      const text = await page.innerText('body');
      const latest = toyCompute(toyFacts(0), { measureDate: '2024-04-01' }).results.establishments;
      for (const e of latest) {
        expect(text).toContain(e.finess);
        const dmp = e.indicators['taux-dmp'];
        expect(text).toContain(`${dmp.numerator} / ${dmp.denominator}`);
        expect(text).toContain(frenchPercent(e.indicators['taux-dossiers-actifs'].rate));
      }
      expect(text).toContain('du 1er janvier 2024 au 31 mars 2024 inclus, en heure locale');
      expect(text).toContain('La Réunion, UTC+4');
      expect(text).toContain('Vérification d’Aptitude');
      expect(text).toContain('Preuves vérifiées');
      expect(text).toContain('Je soussigné(e)');
      expect(text).not.toContain('Indian/Reunion');
      // The trend: one row per sealed measure date, up to the attestation's.
      expect(text).toContain('1er janvier 2024');
      expect(text).toContain('1er avril 2024');
      expect(requests.length).toBeGreaterThan(0);
      expect(requests.filter((url) => !url.startsWith('file://') && !url.startsWith('data:'))).toEqual([]);
      await page.screenshot({ path: SCREENSHOT_PATH, fullPage: true });
      const pdf = await page.pdf({ format: 'A4', printBackground: true });
      expect(pdf.subarray(0, 4).toString('latin1')).toBe('%PDF');
      // The organisation's attestation (its two ESSMS fit on one page), then the annex.
      const pages = (pdf.toString('latin1').match(/\/Type\s*\/Page[^s]/g) ?? []).length;
      expect(pages).toBeGreaterThanOrEqual(2);
      expect(pages).toBeLessThanOrEqual(4);
    } finally {
      await browser.close();
    }
  });
});
