/**
 * `Measure/<id>/$evaluate-measure` over the configured sources (an NDJSON source on the sample data),
 * through real HTTP: contract §3 MeasureReports, subject lists only with the token.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EstablishmentExplanation, ResultsDocument } from '@esms-numerique/sdk';
import type { MeasureReport } from 'fhir/r4.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../config/load-config.js';
import { computeFromSources } from '../runner/compute-from-source.js';
import { createFileSource } from '../sources/file-source.js';
import type { RunningServer } from './server.js';
import { SAMPLE_DATA, send, startTestServer, TEST_TOKEN } from './__fixtures__/serve-test-server.js';

/** The contained List's shape, as read here. */
interface SubjectList {
  id?: string;
  entry?: Array<{ item: { reference?: string } }>;
}

const ESSMS = ['130007313', '690007356', '750006827', '970108007', '970407680'];
let dir: string;
let server: RunningServer;
let expected: ResultsDocument;
let subjects: EstablishmentExplanation[];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'esms-evaluate-'));
  const configPath = join(dir, 'esms.config.yaml');
  await writeFile(
    configPath,
    [
      'establishments:',
      ...ESSMS.map((f) => `  - finess: "${f}"`),
      'sources:',
      `  - type: ndjson`,
      `    paths: [${JSON.stringify(SAMPLE_DATA)}]`,
      'dataDir: ./data',
      '',
    ].join('\n'),
  );
  server = await startTestServer({ loaded: await loadConfig(configPath) });
  const computed = await computeFromSources(
    [createFileSource({ paths: [SAMPLE_DATA] })],
    { measureDate: '2024-04-01' },
    { incompleteInput: 'report' },
  );
  expected = computed.computation.results;
  subjects = computed.computation.subjects;
});
afterAll(async () => {
  await server.close();
  await rm(dir, { recursive: true, force: true });
});

const evaluate = (id: string, query: string): string => `/fhir/Measure/${id}/$evaluate-measure?${query}`;

function count(report: Pick<MeasureReport, 'group'>, id: string): number | undefined {
  return report.group?.[0]?.population?.find((p) => p.id === id)?.count;
}

describe('$evaluate-measure', () => {
  it('answers one summary MeasureReport for an ESSMS, with the figures of esms compute', async () => {
    const res = await send(
      server.url + evaluate('taux-dossiers-actifs', 'periodEnd=2024-03-31&subject=Organization/970407680'),
    );
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toContain('application/fhir+json');
    const report = res.json() as MeasureReport;
    const figures = expected.establishments.find((e) => e.finess === '970407680')?.indicators[
      'taux-dossiers-actifs'
    ];
    expect(report.resourceType).toBe('MeasureReport');
    expect(report.type).toBe('summary');
    expect(report.status).toBe('complete');
    expect(report.measure).toMatch(
      /^https:\/\/esms-numerique\.github\.io\/fhir\/Measure\/taux-dossiers-actifs/,
    );
    expect(report.reporter?.identifier?.value).toBe('970407680');
    expect(report.period.start).toBe('2024-01-01T00:00:00+04:00');
    expect(count(report, 'numerator')).toBe(figures?.numerator);
    expect(count(report, 'denominator')).toBe(figures?.denominator);
    expect(JSON.stringify(report)).not.toContain('Patient/');
  });

  it('takes measureDate for periodEnd, and POSTed Parameters; without subject, a Bundle of every ESSMS', async () => {
    const res = await send(server.url + evaluate('taux-dmp', 'measureDate=2024-04-01'));
    const bundle = res.json() as { resourceType: string; entry: Array<{ resource: MeasureReport }> };
    expect(bundle.resourceType).toBe('Bundle');
    expect(bundle.entry.map((e) => e.resource.reporter?.identifier?.value)).toEqual(ESSMS);
    const posted = await send(server.url + '/fhir/Measure/taux-dmp/$evaluate-measure', {
      method: 'POST',
      headers: { 'Content-Type': 'application/fhir+json' },
      body: JSON.stringify({
        resourceType: 'Parameters',
        parameter: [
          { name: 'periodStart', valueDate: '2024-01-01' },
          { name: 'periodEnd', valueDate: '2024-03-31' },
          { name: 'subject', valueString: 'Organization/130007313' },
        ],
      }),
    });
    expect(posted.status).toBe(200);
    expect(count(posted.json() as MeasureReport, 'numerator')).toBe(
      expected.establishments.find((e) => e.finess === '130007313')?.indicators['taux-dmp'].numerator,
    );
  });

  it('gives subject lists only with the token, as contained Lists of the persons of the explanation', async () => {
    const url =
      server.url +
      evaluate(
        'taux-projet-personnalise',
        'periodEnd=2024-03-31&reportType=subject-list&subject=Organization/970407680',
      );
    expect((await send(url)).status).toBe(401);
    const res = await send(url, { headers: { Authorization: `Bearer ${TEST_TOKEN}` } });
    expect(res.status).toBe(200);
    const report = res.json() as Omit<MeasureReport, 'contained'> & { contained: SubjectList[] };
    expect(report.type).toBe('subject-list');
    const explanation = subjects.find((s) => s.finess === '970407680')?.indicators[
      'taux-projet-personnalise'
    ];
    const listOf = (population: string): string[] => {
      const ref = report.group?.[0]?.population?.find((p) => p.id === population)?.subjectResults?.reference;
      const list = report.contained.find((c) => `#${c.id ?? ''}` === ref);
      return (list?.entry ?? []).map((e) => e.item.reference ?? '');
    };
    expect(listOf('numerator')).toEqual([...(explanation?.numerator ?? [])].sort());
    expect(listOf('denominator')).toEqual([...(explanation?.denominator ?? [])].sort());
    expect(listOf('denominator').length).toBe(count(report, 'denominator'));
  });

  it('names the parameter that is wrong', async () => {
    const cases: Array<[string, number, string]> = [
      [evaluate('taux-dmp', ''), 400, 'periodEnd'],
      [evaluate('taux-dmp', 'periodEnd=2024-03-31&periodStart=2024-02-01'), 400, 'periodStart'],
      [evaluate('taux-dmp', 'periodEnd=2024-03-31&reportType=individual'), 400, 'reportType'],
      [evaluate('taux-dmp', 'periodEnd=2024-03-31&subject=Patient/1'), 400, 'subject'],
      [evaluate('taux-dmp', 'periodEnd=2024-03-31&subject=Organization/750000001'), 404, 'subject'],
      [evaluate('taux-inconnu', 'periodEnd=2024-03-31'), 404, 'Measure.id'],
    ];
    for (const [path, status, expression] of cases) {
      const res = await send(server.url + path);
      expect(res.status, path).toBe(status);
      expect((res.json() as { issue: Array<{ expression: string[] }> }).issue[0]?.expression).toEqual([
        expression,
      ]);
    }
  });
});
