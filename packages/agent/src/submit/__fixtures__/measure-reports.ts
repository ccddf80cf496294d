import type { MeasureReport, MeasureReportGroupPopulation } from 'fhir/r4.js';

const POPULATION = 'http://terminology.hl7.org/CodeSystem/measure-population';

function population(code: string, count: number): MeasureReportGroupPopulation[] {
  return [{ id: code, code: { coding: [{ system: POPULATION, code }] }, count }];
}

const MEASURE = 'https://esms-numerique.github.io/fhir/Measure/';
const VERSION = '2024.1.1';

/** A summary rate report as the SDK's `toMeasureReports` writes it (Réunion ESSMS, Q1 2024). */
export function rateReport(
  options: { finess?: string; indicator?: string; numerator?: number; denominator?: number } = {},
): MeasureReport {
  const {
    finess = '970400024',
    indicator = 'taux-dossiers-actifs',
    numerator = 81,
    denominator = 90,
  } = options;
  return {
    resourceType: 'MeasureReport',
    status: 'complete',
    type: 'summary',
    measure: `${MEASURE}${indicator}|${VERSION}`,
    reporter: {
      type: 'Organization',
      identifier: { system: 'https://finess.esante.gouv.fr', value: finess },
      display: 'EHPAD Les Filaos',
    },
    period: { start: '2024-01-01T00:00:00+04:00', end: '2024-03-31T23:59:59.999+04:00' },
    group: [
      {
        population: [
          ...population('initial-population', denominator),
          ...population('denominator', denominator),
          ...population('numerator', numerator),
        ],
        ...(denominator > 0 ? { measureScore: { value: numerator / denominator } } : {}),
      },
    ],
  };
}

/** A count report (`file-active`), as the SDK writes it. */
export function countReport(options: { finess?: string; count?: number } = {}): MeasureReport {
  const { finess = '970400024', count = 97 } = options;
  return {
    resourceType: 'MeasureReport',
    status: 'complete',
    type: 'summary',
    measure: `${MEASURE}file-active|${VERSION}`,
    reporter: { type: 'Organization', identifier: { system: 'https://finess.esante.gouv.fr', value: finess } },
    period: { start: '2024-01-01T00:00:00+04:00', end: '2024-03-31T23:59:59.999+04:00' },
    // A cohort: its figure is the population count, no score.
    group: [{ population: population('initial-population', count) }],
  };
}

/** The reports of one small run: two ESSMS, a rate and a count each. */
export function sampleReports(): MeasureReport[] {
  return [
    rateReport(),
    countReport(),
    rateReport({ finess: '750000010', numerator: 5, denominator: 10 }),
    countReport({ finess: '750000010', count: 12 }),
  ];
}
