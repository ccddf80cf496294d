import type { MeasureReport } from 'fhir/r4.js';
import type { ResultsDocument } from '@esms-numerique/sdk';
import { expect } from 'vitest';
import { FIXTURE_ESSMS } from './agent-config.js';
import { esms, REPO_ROOT } from './processes.js';
import { join } from 'node:path';

/** The NDJSON export of test/fixtures/two-essms (figures in its expected.json and README.md). */
export const FIXTURE_EXPORT = join(REPO_ROOT, 'test/fixtures/two-essms/export');

/** Every measure submitted per ESSMS (indicators.md: 5 rates, 2 optional counts, 2 further figures). */
export const SUBMITTED_MEASURES = [
  'taux-dossiers-actifs',
  'taux-projet-personnalise',
  'taux-evenement-agenda',
  'taux-mssante',
  'taux-dmp',
  'e-prescriptions-importees',
  'echanges-e-parcours',
  'dossiers-actifs',
  'file-active',
] as const;
const RATES = [
  'taux-dossiers-actifs',
  'taux-projet-personnalise',
  'taux-evenement-agenda',
  'taux-mssante',
  'taux-dmp',
] as const;
const MEASURE_BASE = 'https://esms-numerique.github.io/fhir/Measure/';
/** The measure id of a report's canonical (`…/Measure/<id>|<version>`). */
const measureId = (report: MeasureReport): string =>
  (report.measure.split('|')[0] ?? '').replace(MEASURE_BASE, '');

/** `esms compute` on the fixture files, for comparison with what was submitted. */
export async function computeFixture(measureDate: string): Promise<ResultsDocument> {
  const run = await esms([
    'compute',
    '--input',
    FIXTURE_EXPORT,
    '--measure-date',
    measureDate,
    '--format',
    'json',
  ]);
  expect(run.code).toBe(0);
  return JSON.parse(run.stdout) as ResultsDocument;
}

function count(report: MeasureReport, code: string): number | undefined {
  return report.group?.[0]?.population?.find((p) => p.code?.coding?.[0]?.code === code)?.count;
}

/**
 * The receiver holds exactly one MeasureReport per ESSMS × measure, aggregates only, with the figures of
 * `esms compute` on the same records.
 */
export function expectReportsMatch(reports: MeasureReport[], doc: ResultsDocument): void {
  expect(reports).toHaveLength(FIXTURE_ESSMS.length * SUBMITTED_MEASURES.length);
  const keys = reports.map((r) => `${r.reporter?.identifier?.value}|${measureId(r)}`);
  expect(new Set(keys).size).toBe(reports.length);
  expect([...keys].sort()).toEqual(
    FIXTURE_ESSMS.flatMap((f) => SUBMITTED_MEASURES.map((m) => `${f}|${m}`)).sort(),
  );
  for (const report of reports) {
    expect(report).toMatchObject({ status: 'complete', type: 'summary' });
    expect(report.subject).toBeUndefined();
    const finess = report.reporter?.identifier?.value;
    const establishment = doc.establishments.find((e) => e.finess === finess);
    expect(establishment).toBeDefined();
    const measure = measureId(report);
    if ((RATES as readonly string[]).includes(measure)) {
      const figure = establishment?.indicators[measure as (typeof RATES)[number]];
      expect({
        measure,
        finess,
        numerator: count(report, 'numerator'),
        denominator: count(report, 'denominator'),
      }).toEqual({
        measure,
        finess,
        numerator: figure?.numerator,
        denominator: figure?.denominator,
      });
    } else if (measure === 'e-prescriptions-importees' || measure === 'echanges-e-parcours') {
      expect(count(report, 'initial-population')).toBe(establishment?.indicators[measure].total);
    } else if (measure === 'dossiers-actifs') {
      expect(count(report, 'initial-population')).toBe(establishment?.dossiersActifs);
    } else if (measure === 'file-active') {
      expect(count(report, 'initial-population')).toBe(establishment?.fileActive);
    }
  }
}
