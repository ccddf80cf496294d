/**
 * The project lead's dashboard in a real browser (headless Debian Chromium driven by playwright-core, already
 * the project's browser driver: its own browser downloads are not reachable here). Three runs are sealed
 * and submitted to the reference receiver through the built CLI, then `esms serve` is opened: the overview
 * shows the three sealed runs; a click on a worklist asks for the token and shows the dossiers that do not
 * count, which must be those of `esms compute --explain`. Screenshots go to the temp dir, never the repo.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EstablishmentExplanation, ResultsDocument } from '@esms-numerique/sdk';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { esms, killChildren, REPO_ROOT, startCli, waitFor } from './support/processes.js';
import { ReceiverProcess } from './support/servers.js';

const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];
const SAMPLE = join(REPO_ROOT, 'examples/sample-data');
const ESSMS = ['130007313', '690007356', '750006827', '970108007', '970407680'];
const MEASURE_DATES = ['2024-02-01', '2024-03-01', '2024-04-01'];
const TOKEN = 'e2e-dashboard-token-0123456789';
const FINESS = '970407680';
const INDICATOR = 'taux-projet-personnalise';
const HAS_CHROMIUM = existsSync(CHROMIUM);

let scratch: string;
let url: string;
let browser: Browser | undefined;
let explanation: EstablishmentExplanation;
let figures: ResultsDocument['establishments'][number];

beforeAll(async () => {
  if (!HAS_CHROMIUM) return;
  scratch = await mkdtemp(join(tmpdir(), 'esms-e2e-dashboard-'));
  const receiver = await ReceiverProcess.start(join(scratch, 'ars'));
  const config = join(scratch, 'esms.config.yaml');
  await writeFile(
    config,
    [
      'establishments:',
      ...ESSMS.map((f) => `  - finess: "${f}"`),
      'sources:',
      '  - type: ndjson',
      `    paths: [${JSON.stringify(SAMPLE)}]`,
      'ars:',
      `  endpoint: ${receiver.url}`,
      '  retry: { initialDelayMs: 100, maxDelayMs: 500, deadlineHours: 1 }',
      'dataDir: ./data',
      'logging: { level: warn, format: json }',
      'serve:',
      '  token: { env: ESMS_E2E_SERVE_TOKEN }',
      '',
    ].join('\n'),
  );
  // A run never creates the evidence keys (esms init does): as an installation would.
  expect((await esms(['init', '--keys-only', '--config', config])).code).toBe(0);
  for (const date of MEASURE_DATES) {
    const run = await esms(['run-once', '--config', config, '--measure-date', date]);
    expect(run.code, run.stderr).toBe(0);
  }
  const served = startCli(['serve', '--config', config, '--listen', '127.0.0.1:0'], {
    ESMS_E2E_SERVE_TOKEN: TOKEN,
  });
  url = await waitFor(
    () => /listening on (http:\/\/\S+)/.exec(served.output().stdout)?.[1],
    20_000,
    'esms serve to listen',
  );
  const explained = await esms([
    'compute',
    '--input',
    SAMPLE,
    '--measure-date',
    '2024-04-01',
    '--explain',
    FINESS,
    '--format',
    'json',
  ]);
  explanation = JSON.parse(explained.stdout) as EstablishmentExplanation;
  const computed = await esms([
    'compute',
    '--input',
    SAMPLE,
    '--measure-date',
    '2024-04-01',
    '--format',
    'json',
  ]);
  const found = (JSON.parse(computed.stdout) as ResultsDocument).establishments.find(
    (e) => e.finess === FINESS,
  );
  if (found === undefined) throw new Error(`no ${FINESS} in the sample`);
  figures = found;
  browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
});
afterAll(async () => {
  await browser?.close();
  await killChildren();
  if (scratch !== undefined) await rm(scratch, { recursive: true, force: true });
});

if (!HAS_CHROMIUM) {
  console.warn(
    `serve-dashboard-browser.test.ts: ${CHROMIUM} not found (apt-get install -y chromium): browser test skipped`,
  );
}

describe.skipIf(!HAS_CHROMIUM)('the dashboard in Chromium', () => {
  it('overview → worklist: the three sealed runs, then the dossiers of esms compute --explain', async () => {
    if (browser === undefined) throw new Error('no browser');
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    const foreign: string[] = [];
    page.on('request', (request) => {
      if (!request.url().startsWith(url)) foreign.push(request.url());
    });
    const overview = await page.goto(`${url}/tableau-de-bord`);
    expect(overview?.status()).toBe(200);
    expect(overview?.headers()['content-security-policy']).toContain("default-src 'none'");
    expect(await page.locator('html').getAttribute('lang')).toBe('fr');
    await expect.poll(() => page.locator('h1').textContent()).toBe('Tableau de bord');
    const facts = await page.locator('ul.facts').innerText();
    expect(facts).toMatch(/Exécutions scellées : 3 \(1er février 2024, 1er mars 2024, 1er avril 2024\)/);
    expect(facts).toContain('reçue par l’ARS');
    expect(facts).toMatch(/Prochaine exécution : \S/);
    expect(facts).toContain('vérifiées');
    // The ESSMS's section: one row per indicator, each trend with one point per sealed run.
    const section = page.locator(`section[aria-labelledby="essms-${FINESS}"]`);
    await expect.poll(() => section.locator('tbody tr').count()).toBe(5);
    for (const svg of await section.locator('svg.trend').all()) {
      expect(await svg.locator('circle').count()).toBe(3);
    }
    const row = section.locator('tbody tr', { hasText: 'Projet personnalisé' });
    const rate = figures.indicators[INDICATOR];
    expect(await row.innerText()).toContain(`${rate.numerator} / ${rate.denominator}`);
    await page.screenshot({ path: join(tmpdir(), 'esms-dashboard-overview.png'), fullPage: true });

    // Keyboard: the first Tab reaches the skip link.
    await page.keyboard.press('Tab');
    expect(await page.locator(':focus').textContent()).toBe('Aller au contenu');

    // Person-level: the click leads to the login form first.
    await row.getByRole('link', { name: /Liste de travail/ }).click();
    await page.waitForURL(/\/tableau-de-bord\/connexion/);
    await page.getByLabel('Jeton du service').fill('not-the-token-at-all');
    await page.getByRole('button', { name: 'Se connecter' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toBe('Jeton incorrect.');
    await page.getByLabel('Jeton du service').fill(TOKEN);
    await page.getByRole('button', { name: 'Se connecter' }).click();
    await page.waitForURL(new RegExp(`/tableau-de-bord/essms/${FINESS}/${INDICATOR}$`));

    const shown: Array<{ person: string; reason: string }> = [];
    for (const tr of await page.locator('#liste tbody tr').all()) {
      const cells = (await tr.locator('td').allInnerTexts()).map((c) => c.trim());
      shown.push({ person: cells[0] ?? '', reason: cells[3] ?? '' });
    }
    const expected = [...(explanation.indicators[INDICATOR]?.outOfNumerator ?? [])].sort((a, b) =>
      a.person < b.person ? -1 : 1,
    );
    expect(expected.length).toBeGreaterThan(0);
    expect(shown).toEqual(expected);
    const missing = Math.ceil((rate.target * rate.denominator) / 100) - rate.numerator;
    expect(await page.locator('#objectif').innerText()).toBe(
      `${missing} dossiers de plus avec un projet personnalisé en cours → 90\u202f% atteint`,
    );
    // Never a name: the sample's first usager is FONTAINE Pierre.
    const text = await page.locator('body').innerText();
    expect(text).not.toContain('FONTAINE');
    await page.screenshot({ path: join(tmpdir(), 'esms-dashboard-worklist.png'), fullPage: true });

    // The CSV, with the same session.
    const csv = await page
      .context()
      .request.get(`${url}/tableau-de-bord/essms/${FINESS}/${INDICATOR}.csv?measureDate=2024-04-01`);
    expect(csv.status()).toBe(200);
    const lines = (await csv.text())
      .replace(/^\ufeff/, '')
      .trim()
      .split('\r\n');
    expect(lines[0]).toBe('dossier;dossiers_fusionnes;raison;libelle');
    expect(lines.slice(1).map((l) => l.split(';')[0])).toEqual(expected.map((e) => e.person));
    expect(foreign).toEqual([]);
    await page.close();
  });

  it('a worklist without the session cookie or token is never served', async () => {
    const response = await fetch(`${url}/tableau-de-bord/essms/${FINESS}/${INDICATOR}.csv`, {
      redirect: 'manual',
    });
    expect(response.status).toBe(303);
    expect(response.headers.get('location')).toContain('/tableau-de-bord/connexion');
    expect(
      await readFile(join(tmpdir(), 'esms-dashboard-worklist.png')).then((b) => b.length),
    ).toBeGreaterThan(0);
  });
});
