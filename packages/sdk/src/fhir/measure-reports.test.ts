import type { MeasureReport } from 'fhir/r4.js';
import { describe, expect, it } from 'vitest';
import { rate } from '../indicators/rates.js';
import { MEASURE_IDS, type MeasureId } from '../indicators/registry.js';
import type { EstablishmentResult, IndicatorResults, ResultsDocument } from '../results.js';
import { periodWithOffsets, toMeasureReports } from './measure-reports.js';
import { MEASURES_VERSION, measureCanonical } from './measures.js';

const POPULATION_SYSTEM = 'http://terminology.hl7.org/CodeSystem/measure-population';

function indicators(
  persons: number,
  active: number,
  overrides: Partial<IndicatorResults> = {},
): IndicatorResults {
  return {
    'taux-dossiers-actifs': rate(active, persons, 90),
    'taux-projet-personnalise': rate(Math.min(70, active), active, 90),
    'taux-evenement-agenda': rate(Math.min(77, active), active, 90),
    'taux-mssante': rate(130, persons, 70),
    'taux-dmp': rate(Math.min(40, persons), persons, 70),
    'e-prescriptions-importees': { total: 12, byMonth: { '2024-02': 4, '2024-01': 3, '2024-03': 5 } },
    'echanges-e-parcours': { total: 4, sinceProjectStart: null },
    ...overrides,
  };
}

/** A Réunion ESSMS (UTC+4 all year), listed second on purpose: reports must come out by FINESS. */
const reunion: EstablishmentResult = {
  finess: '970400024',
  organisation: '970408589',
  name: 'EHPAD Les Filaos',
  timezone: 'Indian/Reunion',
  period: { start: '2024-01-01', end: '2024-03-31' },
  indicators: indicators(90, 81),
  dossiersActifs: 81,
  fileActive: 97,
  vaReady: true,
  vaReason: null,
};

/** A Paris ESSMS whose period ends on the day summer time starts (2024-03-31 02:00 → 03:00). */
const paris: EstablishmentResult = {
  finess: '750000010',
  organisation: null,
  name: null,
  timezone: 'Europe/Paris',
  period: { start: '2024-01-01', end: '2024-03-31' },
  indicators: indicators(0, 0),
  dossiersActifs: 0,
  fileActive: 3,
  vaReady: false,
  vaReason: 'no person accompanied in the period',
};

const results: ResultsDocument = {
  measureDate: '2024-04-01',
  denominatorScope: 'period',
  establishments: [reunion, paris],
  organisations: [
    {
      finess: '970408589',
      name: 'Association Filaos',
      establishments: ['970400024'],
      indicators: reunion.indicators,
      dossiersActifs: 81,
      fileActive: 97,
    },
  ],
  dataQuality: { errors: [], warnings: [] },
};

function reportFor(reports: MeasureReport[], finess: string, id: MeasureId): MeasureReport {
  const report = reports.find(
    (r) =>
      r.reporter?.identifier?.value === finess && r.measure === `${measureCanonical(id)}|${MEASURES_VERSION}`,
  );
  if (report === undefined) throw new Error(`no report for ${finess} ${id}`);
  return report;
}

function counts(report: MeasureReport): Record<string, number | undefined> {
  const out: Record<string, number | undefined> = {};
  for (const population of report.group?.[0]?.population ?? []) {
    const coding = population.code?.coding?.[0];
    expect(coding?.system).toBe(POPULATION_SYSTEM);
    out[coding?.code ?? '?'] = population.count;
  }
  return out;
}

describe('toMeasureReports', () => {
  const reports = toMeasureReports(results);

  it('produces one summary report per ESSMS × measure, ordered by FINESS then measure', () => {
    expect(reports).toHaveLength(2 * MEASURE_IDS.length);
    // The canonical with the measures' version (issue 8 §5).
    expect(reports.map((r) => `${r.reporter?.identifier?.value} ${r.measure}`)).toEqual([
      ...MEASURE_IDS.map((id) => `750000010 ${measureCanonical(id)}|${MEASURES_VERSION}`),
      ...MEASURE_IDS.map((id) => `970400024 ${measureCanonical(id)}|${MEASURES_VERSION}`),
    ]);
    for (const report of reports) {
      expect(report.status).toBe('complete');
      expect(report.type).toBe('summary');
      // No clock in the SDK: the date is the caller's.
      expect(report.date).toBeUndefined();
      expect(report.reporter?.type).toBe('Organization');
      expect(report.reporter?.identifier?.system).toBe('https://finess.esante.gouv.fr');
      expect(report.text?.status).toBe('generated');
      expect(report.text?.div).toMatch(/^<div xmlns="http:\/\/www\.w3\.org\/1999\/xhtml"><p>/);
      for (const p of report.group?.[0]?.population ?? []) expect(p.id).toBe(p.code?.coding?.[0]?.code);
    }
  });

  it('dates the reports when the caller says when they were made', () => {
    const dated = toMeasureReports(results, { date: '2024-04-09T05:00:00+02:00' });
    expect(new Set(dated.map((r) => r.date))).toEqual(new Set(['2024-04-09T05:00:00+02:00']));
  });

  it('says which way is better for the rates only: the counts are cohorts, with no score', () => {
    for (const report of reports) {
      const isRate = report.measure.includes('/Measure/taux-');
      expect(report.improvementNotation?.coding?.[0]?.code, report.measure).toBe(
        isRate ? 'increase' : undefined,
      );
      if (!isRate) expect(report.group?.[0]).not.toHaveProperty('measureScore');
    }
  });

  it('writes a narrative of the figures, its text escaped', () => {
    const named = toMeasureReports({
      ...results,
      establishments: [{ ...reunion, name: 'EHPAD <Les Filaos> & Cie' }],
    });
    const actifs = named.find((r) => r.measure.includes('/taux-dossiers-actifs|'));
    expect(actifs?.text?.div).toBe(
      '<div xmlns="http://www.w3.org/1999/xhtml"><p>Taux de dossiers actifs</p>' +
        '<p>EHPAD &lt;Les Filaos&gt; &amp; Cie (FINESS 970400024), du 2024-01-01 au 2024-03-31.</p>' +
        '<p>81 / 90 : 90,0 % ; cible 90 %.</p></div>',
    );
    const rx = named.find((r) => r.measure.includes('/e-prescriptions-importees|'));
    expect(rx?.text?.div).toContain('<p>Valeur : 12.</p><p>2024-01 : 3 ; 2024-02 : 4 ; 2024-03 : 5</p>');
  });

  it('writes the Réunion period with its +04:00 offset, ending at the last millisecond of the last day', () => {
    const report = reportFor(reports, '970400024', 'taux-dmp');
    expect(report.period).toEqual({
      start: '2024-01-01T00:00:00+04:00',
      end: '2024-03-31T23:59:59.999+04:00',
    });
    expect(report.reporter).toEqual({
      type: 'Organization',
      identifier: { system: 'https://finess.esante.gouv.fr', value: '970400024' },
      display: 'EHPAD Les Filaos',
    });
    const length = Date.parse(report.period.end ?? '') - Date.parse(report.period.start ?? '');
    expect(length).toBe(91 * 86_400_000 - 1);
  });

  it('writes a Paris period across the spring DST change with each end’s own offset', () => {
    const report = reportFor(reports, '750000010', 'taux-dmp');
    expect(report.period).toEqual({
      start: '2024-01-01T00:00:00+01:00',
      end: '2024-03-31T23:59:59.999+02:00',
    });
    // 91 local days, one of which lasts 23 hours.
    const length = Date.parse(report.period.end ?? '') - Date.parse(report.period.start ?? '');
    expect(length).toBe(91 * 86_400_000 - 3_600_000 - 1);
    expect(report.reporter).toEqual({
      type: 'Organization',
      identifier: { system: 'https://finess.esante.gouv.fr', value: '750000010' },
    });
  });

  it('writes a Paris period across the autumn DST change', () => {
    const period = periodWithOffsets({
      finess: '750000010',
      timezone: 'Europe/Paris',
      period: { start: '2024-08-01', end: '2024-10-31' },
    });
    expect(period).toEqual({ start: '2024-08-01T00:00:00+02:00', end: '2024-10-31T23:59:59.999+01:00' });
  });

  it('starts a day at the end of a DST gap when local midnight does not exist (Chile, 2024-09-08)', () => {
    const period = periodWithOffsets({
      finess: '750000010',
      timezone: 'America/Santiago',
      period: { start: '2024-09-08', end: '2024-09-08' },
    });
    expect(period).toEqual({ start: '2024-09-08T01:00:00-03:00', end: '2024-09-08T23:59:59.999-03:00' });
  });

  it('ends a day before a midnight that follows a repeated hour (Chile, 2024-04-06)', () => {
    const period = periodWithOffsets({
      finess: '750000010',
      timezone: 'America/Santiago',
      period: { start: '2024-04-06', end: '2024-04-06' },
    });
    expect(period).toEqual({ start: '2024-04-06T00:00:00-03:00', end: '2024-04-06T23:59:59.999-04:00' });
    const length = Date.parse(period.end ?? '') - Date.parse(period.start ?? '');
    expect(length).toBe(25 * 3_600_000 - 1);
  });

  it('rejects an unknown time zone and a malformed date, naming the ESSMS', () => {
    expect(() =>
      periodWithOffsets({ finess: '970400024', timezone: 'Mars/Olympus', period: reunion.period }),
    ).toThrow(/Mars\/Olympus.*970400024/);
    expect(() =>
      periodWithOffsets({
        finess: '970400024',
        timezone: 'Indian/Reunion',
        period: { start: '2024-02-30', end: '2024-03-31' },
      }),
    ).toThrow(RangeError);
  });

  it('gives rates their populations and the exact numerator / denominator as score', () => {
    const actifs = reportFor(reports, '970400024', 'taux-dossiers-actifs');
    expect(counts(actifs)).toEqual({ 'initial-population': 90, denominator: 90, numerator: 81 });
    expect(actifs.group?.[0]?.measureScore).toEqual({ value: 0.9 });

    // Denominator = active dossiers; the initial population is still the persons accompanied.
    const projet = reportFor(reports, '970400024', 'taux-projet-personnalise');
    expect(counts(projet)).toEqual({ 'initial-population': 90, denominator: 81, numerator: 70 });
    expect(projet.group?.[0]?.measureScore?.value).toBe(70 / 81);
    expect(projet.group?.[0]?.measureScore?.value).not.toBe(0.864);

    const agenda = reportFor(reports, '970400024', 'taux-evenement-agenda');
    expect(counts(agenda)).toEqual({ 'initial-population': 90, denominator: 81, numerator: 77 });

    // Messages, not persons: above 1 is a legitimate score.
    const mssante = reportFor(reports, '970400024', 'taux-mssante');
    expect(counts(mssante)).toEqual({ 'initial-population': 90, denominator: 90, numerator: 130 });
    expect(mssante.group?.[0]?.measureScore?.value).toBeCloseTo(130 / 90, 15);
  });

  it('omits the score when the denominator is zero', () => {
    for (const id of ['taux-dossiers-actifs', 'taux-projet-personnalise', 'taux-mssante'] as const) {
      const report = reportFor(reports, '750000010', id);
      expect(counts(report)).toMatchObject({ denominator: 0 });
      expect(report.group?.[0]).not.toHaveProperty('measureScore');
    }
  });

  it('reports counts as their initial population (cohorts), e-prescriptions stratified by month', () => {
    const ePrescriptions = reportFor(reports, '970400024', 'e-prescriptions-importees');
    const group = ePrescriptions.group?.[0];
    expect(counts(ePrescriptions)).toEqual({ 'initial-population': 12 });
    expect(group).not.toHaveProperty('measureScore');
    const stratifier = group?.stratifier?.[0];
    expect(stratifier?.code?.[0]?.text).toBe('month');
    expect(
      stratifier?.stratum?.map((s) => [s.value?.text, s.population?.[0]?.count, s.measureScore]),
    ).toEqual([
      ['2024-01', 3, undefined],
      ['2024-02', 4, undefined],
      ['2024-03', 5, undefined],
    ]);
    expect(counts(reportFor(reports, '970400024', 'echanges-e-parcours'))).toEqual({
      'initial-population': 4,
    });
    expect(counts(reportFor(reports, '970400024', 'dossiers-actifs'))).toEqual({ 'initial-population': 81 });
    expect(counts(reportFor(reports, '970400024', 'file-active'))).toEqual({ 'initial-population': 97 });
    expect(counts(reportFor(reports, '750000010', 'file-active'))).toEqual({ 'initial-population': 3 });
  });

  it('never carries a subject or any person-level list', () => {
    const text = JSON.stringify(toMeasureReports(results, { includeOrganisations: true }));
    expect(text).not.toMatch(/subject|evaluatedResource|Patient/);
  });

  it('is deterministic and leaves the results document untouched', () => {
    const before = JSON.stringify(results);
    expect(JSON.stringify(toMeasureReports(results))).toBe(JSON.stringify(reports));
    expect(JSON.stringify(results)).toBe(before);
  });

  it('adds the organismes gestionnaires after the ESSMS when asked', () => {
    const withOrganisations = toMeasureReports(results, { includeOrganisations: true });
    expect(withOrganisations).toHaveLength(3 * MEASURE_IDS.length);
    const og = withOrganisations.slice(2 * MEASURE_IDS.length);
    expect(new Set(og.map((r) => r.reporter?.identifier?.value))).toEqual(new Set(['970408589']));
    expect(og[0]?.reporter?.display).toBe('Association Filaos');
    expect(og[0]?.period).toEqual({
      start: '2024-01-01T00:00:00+04:00',
      end: '2024-03-31T23:59:59.999+04:00',
    });
  });

  it('gives an organisation spanning time zones its local dates', () => {
    const mixed: ResultsDocument = {
      ...results,
      organisations: [
        {
          finess: '970408589',
          name: null,
          establishments: ['970400024', '750000010'],
          indicators: reunion.indicators,
          dossiersActifs: 81,
          fileActive: 100,
        },
      ],
    };
    const og = toMeasureReports(mixed, { includeOrganisations: true }).slice(2 * MEASURE_IDS.length);
    expect(og[0]?.period).toEqual({ start: '2024-01-01', end: '2024-03-31' });
    expect(og[0]?.reporter).toEqual({
      type: 'Organization',
      identifier: { system: 'https://finess.esante.gouv.fr', value: '970408589' },
    });
  });
});
