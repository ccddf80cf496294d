import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isAgentError } from '../errors.js';
import { recordFailure, recordReceipt } from '../evidence/seal.js';
import { openEvidenceStore } from '../evidence/store.js';
import { sealToyRun } from '../evidence/__fixtures__/seal-toy-run.js';
import { toyRules } from '../evidence/__fixtures__/toy-rules.js';
import { readEntries, writeLines } from '../evidence/__fixtures__/tamper.js';
import { Outbox } from '../submit/outbox.js';
import { runReport } from './report.js';
import type { ReportCommandOptions, ReportCommandResult } from './report.js';

const NOW = new Date('2024-04-10T08:00:00Z');
const SUBMISSION = (n: number): string => String(n).repeat(64);

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'esms-report-cmd-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Seals the toy runs of these measure dates in `<dir>/data/evidence`, each received unless told otherwise. */
async function sealRuns(
  dates: readonly string[],
  outcome: (index: number, runId: string, submissionId: string) => 'received' | 'refused' | 'none' = () =>
    'received',
): Promise<string> {
  let tick = 0;
  const store = await openEvidenceStore(join(dir, 'data', 'evidence'), {
    create: true,
    now: () => new Date(Date.UTC(2024, 3, 1, 5, tick++)),
  });
  for (const [index, measureDate] of dates.entries()) {
    const runId = `run-${measureDate}`;
    const submissionId = SUBMISSION(index + 1);
    await sealToyRun(store, { runId, measureDate, variant: index % 3, submissionId });
    const what = outcome(index, runId, submissionId);
    if (what === 'received') {
      await recordReceipt(store, { runId, submissionId, receipt: { resourceType: 'Bundle' } });
    } else if (what === 'refused') {
      await recordFailure(store, {
        runId,
        submissionId,
        code: 'submission-permanent',
        message: 'HTTP 422',
        httpStatus: 422,
      });
    }
  }
  return store.dir;
}

async function writeConfig(ars: boolean): Promise<string> {
  const path = join(dir, 'esms.config.yaml');
  await writeFile(
    path,
    [
      'establishments:',
      '  - finess: "970400024"',
      '  - finess: "970400032"',
      'sources:',
      '  - type: ndjson',
      '    paths: [ ./export ]',
      ...(ars ? ['ars:', '  endpoint: http://127.0.0.1:9/fhir', '  retry: { deadlineHours: 1 }'] : []),
      `dataDir: ${JSON.stringify(join(dir, 'data'))}`,
      '',
    ].join('\n'),
  );
  return path;
}

async function report(
  options: ReportCommandOptions,
): Promise<{ result?: ReportCommandResult; error?: unknown; stdout: string }> {
  const written: string[] = [];
  try {
    const result = await runReport(
      options,
      { stdout: { write: (t: string) => written.push(t) } },
      { now: () => NOW, verifyOptions: { rules: toyRules } },
    );
    return { result, stdout: written.join('') };
  } catch (error) {
    return { error, stdout: written.join('') };
  }
}

function codeOf(error: unknown): string | undefined {
  return isAgentError(error) ? error.code : undefined;
}

describe('esms report', () => {
  it('writes a PDF by default, HTML for a .html file or --format html', async () => {
    const store = await sealRuns(['2024-03-01', '2024-04-01']);
    const pdf = await report({ evidenceDir: store, out: join(dir, 'attestation.pdf') });
    expect(pdf.error).toBeUndefined();
    expect(pdf.result?.format).toBe('pdf');
    expect((await readFile(join(dir, 'attestation.pdf'))).subarray(0, 5).toString('latin1')).toBe('%PDF-');
    expect(pdf.stdout).toContain('attestation for D=2024-04-01, 1 organisation, 2 ESSMS');

    const page = await report({ evidenceDir: store, out: join(dir, 'a.html') });
    expect(page.result?.format).toBe('html');
    expect(await readFile(join(dir, 'a.html'), 'utf8')).toMatch(/^<!DOCTYPE html>/);
    const forced = await report({ evidenceDir: store, out: join(dir, 'a.txt'), format: 'html' });
    expect(forced.result?.format).toBe('html');
  });

  it('--measure-date chooses the run; a D without a sealed run is bad usage naming the sealed dates', async () => {
    const store = await sealRuns(['2024-03-01', '2024-04-01']);
    const out = join(dir, 'march.html');
    const march = await report({ evidenceDir: store, out, measureDate: '2024-03-01' });
    expect(march.error).toBeUndefined();
    const text = await readFile(out, 'utf8');
    expect(text).toMatch(/Date de mesure<\/dt>\s*<dd>1er mars 2024/);
    // Neither the later run's date in the title, nor a later point in the trend.
    expect(text).toContain('mesure du 1er mars 2024');
    expect(text).not.toContain('mesure du 1er avril 2024');
    expect(text).not.toMatch(/<td>\s*1er avril 2024/);
    const missing = await report({
      evidenceDir: store,
      out: join(dir, 'may.html'),
      measureDate: '2024-05-01',
    });
    expect(codeOf(missing.error)).toBe('usage');
    expect(String(missing.error)).toContain('sealed measurement dates: 2024-03-01, 2024-04-01');
    expect(existsSync(join(dir, 'may.html'))).toBe(false);
  });

  it('--finess and --organisation select; unknown ones are bad usage; both at once too', async () => {
    const store = await sealRuns(['2024-04-01']);
    const out = join(dir, 'one.html');
    expect((await report({ evidenceDir: store, out, finess: ['970400032'] })).error).toBeUndefined();
    const text = await readFile(out, 'utf8');
    expect(text).toContain('970400032');
    expect(text).not.toContain('970400024');
    expect(codeOf((await report({ evidenceDir: store, out, finess: ['970499999'] })).error)).toBe('usage');
    expect(codeOf((await report({ evidenceDir: store, out, organisation: '130000001' })).error)).toBe(
      'usage',
    );
    expect(
      codeOf(
        (await report({ evidenceDir: store, out, organisation: '970408589', finess: ['970400032'] })).error,
      ),
    ).toBe('usage');
  });

  it('--format that contradicts the --out extension is refused, nothing written (issue 11 A8)', async () => {
    const store = await sealRuns(['2024-04-01']);
    const out = join(dir, 'x.pdf');
    const attempt = await report({ evidenceDir: store, out, format: 'html' });
    expect(codeOf(attempt.error)).toBe('usage');
    expect(String(attempt.error)).toContain('--format html and --out');
    expect(existsSync(out)).toBe(false);
    // An extension that says nothing (or agrees) is fine.
    expect(
      (await report({ evidenceDir: store, out: join(dir, 'x.html'), format: 'html' })).error,
    ).toBeUndefined();
  });

  it('--out into a directory that does not exist fails clearly and creates nothing', async () => {
    const store = await sealRuns(['2024-04-01']);
    const out = join(dir, 'no-such-dir', 'r.pdf');
    const attempt = await report({ evidenceDir: store, out });
    expect(codeOf(attempt.error)).toBe('usage');
    expect(String(attempt.error)).toContain(`the directory ${join(dir, 'no-such-dir')} does not exist`);
    expect(existsSync(join(dir, 'no-such-dir'))).toBe(false);
  });

  it('nothing sealed yet: the neutral page is written, and the command ends with nothing-sealed (exit 6)', async () => {
    const out = join(dir, 'empty.html');
    const attempt = await report({ evidenceDir: join(dir, 'data', 'evidence'), out });
    expect(codeOf(attempt.error)).toBe('nothing-sealed');
    const text = await readFile(out, 'utf8');
    expect(text).toContain('Aucun calcul scellé pour l’instant');
    expect(text).not.toContain('Ne signez pas');
  });

  it('evidence that does not verify: the red page is written, no signature block, and evidence-invalid (exit 4)', async () => {
    const store = await sealRuns(['2024-03-01', '2024-04-01']);
    const entries = await readEntries(store);
    const sealed = entries.find((e) => e.type === 'run-sealed');
    if (sealed === undefined) throw new Error('no sealed run');
    sealed.payload['softwareVersion'] = '9.9.9'; // one changed field: that entry no longer matches its hash
    await writeLines(store, entries);
    const out = join(dir, 'ko.html');
    const attempt = await report({ evidenceDir: store, out });
    expect(codeOf(attempt.error)).toBe('evidence-invalid');
    expect(String(attempt.error)).toMatch(/entry seq 1: its content does not match its hash/);
    const text = await readFile(out, 'utf8');
    expect(text).toContain('Preuves NON vérifiées');
    expect(text).toContain(
      'Problème, entrée n° 1 : le contenu de l’entrée ne correspond plus à son empreinte',
    );
    expect(text).not.toContain('Je soussigné(e)');
  });

  it('with the config: no ARS configured says so; a refusal is told as such', async () => {
    await sealRuns(['2024-04-01'], () => 'none');
    const config = await writeConfig(false);
    const out = join(dir, 'no-ars.html');
    expect((await report({ config, out })).error).toBeUndefined();
    const noArs = await readFile(out, 'utf8');
    expect(noArs).toContain('non transmise : aucun point de collecte configuré');
    // Nothing was or will be sent: the annex names no submission and no transmitted bytes (issue 11 A4).
    expect(noArs).not.toContain('Identifiant de transmission');
    expect(noArs).not.toContain('Données transmises à l’ARS');
    expect(noArs).toContain('ceux calculés et scellés');

    await rm(join(dir, 'data'), { recursive: true });
    await sealRuns(['2024-04-01'], () => 'refused');
    const refused = join(dir, 'refused.html');
    expect((await report({ config: await writeConfig(true), out: refused })).error).toBeUndefined();
    expect(await readFile(refused, 'utf8')).toContain('refusée par l’ARS (code 422)');
  });

  it('with the config: a submission still pending past its retry deadline is late', async () => {
    await sealRuns(['2024-04-01'], () => 'none');
    const config = await writeConfig(true);
    const outbox = await Outbox.open({
      dataDir: join(dir, 'data'),
      now: () => new Date('2024-04-01T05:00:00Z'),
    });
    await outbox.enqueue({ id: SUBMISSION(1), body: '{}', createdFrom: { measureDate: '2024-04-01' } });
    const out = join(dir, 'late.html');
    expect((await report({ config, out })).error).toBeUndefined();
    expect(await readFile(out, 'utf8')).toContain('en retard : toujours sans accusé de réception');
    // Within its deadline, it is only pending.
    const early = await runReport(
      { config, out },
      { stdout: { write: () => true } },
      { now: () => new Date('2024-04-01T05:30:00Z'), verifyOptions: { rules: toyRules } },
    );
    expect(early.ok).toBe(true);
    expect(await readFile(out, 'utf8')).toContain('en cours, en attente de l’accusé de réception de l’ARS');
  });
});
