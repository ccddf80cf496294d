/**
 * contract.md §3 "FHIR outputs": the summary `MeasureReport`s that carry the figures of a results
 * document. `status` complete, `type` summary, `measure` the canonical, `period` P with offsets,
 * `reporter` the ESSMS by its FINESS, `group.population` counts and `measureScore`. Pure: no I/O, no clock
 * (a report's `date` is left for the caller to set). Only aggregate counts are produced: never a subject,
 * never a person-level list; this is what may leave the machine.
 */
import type {
  MeasureReport,
  MeasureReportGroup,
  MeasureReportGroupPopulation,
  MeasureReportGroupStratifier,
  Period,
  Quantity,
} from 'fhir/r4.js';
import { MEASURE_IDS } from '../indicators/registry.js';
import type {
  EPrescriptionResult,
  EstablishmentResult,
  IndicatorResults,
  LocalPeriod,
  RateResult,
  ResultsDocument,
} from '../results.js';
import { formatWithOffset, isValidTimezone, startOfLocalDay } from '../vocabulary/local-time.js';
import { IDENTIFIER_SYSTEMS } from '../vocabulary/systems.js';
import { localDateToWallMs } from '../vocabulary/time.js';
import { measureCanonical, MONTH_STRATIFIER_CODE, populationCode, type PopulationCode } from './measures.js';

const UCUM_SYSTEM = 'http://unitsofmeasure.org';

export interface MeasureReportOptions {
  /** Also report the organismes gestionnaires' roll-ups (reporter = the FINESS juridique). Default `false`. */
  includeOrganisations?: boolean | undefined;
}

/** What one reporter (an ESSMS or an organisme gestionnaire) reports. */
interface ReporterFigures {
  finess: string;
  name: string | null;
  period: Period;
  indicators: IndicatorResults;
  dossiersActifs: number;
  fileActive: number;
}

/**
 * Summary `MeasureReport`s for a results document: one per ESSMS × measure, ordered by FINESS then by
 * measure (`MEASURE_IDS`); with `includeOrganisations`, the organismes gestionnaires' reports follow, in
 * the same order. `date` is omitted (no clock here): the caller may set it. Never any subject.
 *
 * @throws RangeError when an establishment's time zone or period is not valid.
 */
export function toMeasureReports(results: ResultsDocument, options?: MeasureReportOptions): MeasureReport[] {
  const establishments = [...results.establishments].sort(byFiness);
  const reports = establishments.flatMap((establishment) =>
    reportsFor({
      finess: establishment.finess,
      name: establishment.name,
      period: periodWithOffsets(establishment),
      indicators: establishment.indicators,
      dossiersActifs: establishment.dossiersActifs,
      fileActive: establishment.fileActive,
    }),
  );
  if (options?.includeOrganisations === true) {
    for (const organisation of [...results.organisations].sort(byFiness)) {
      const members = establishments.filter((e) => organisation.establishments.includes(e.finess));
      reports.push(
        ...reportsFor({
          finess: organisation.finess,
          name: organisation.name,
          period: organisationPeriod(members),
          indicators: organisation.indicators,
          dossiersActifs: organisation.dossiersActifs,
          fileActive: organisation.fileActive,
        }),
      );
    }
  }
  return reports;
}

function byFiness(a: { finess: string }, b: { finess: string }): number {
  return a.finess < b.finess ? -1 : a.finess > b.finess ? 1 : 0;
}

function reportsFor(figures: ReporterFigures): MeasureReport[] {
  const { indicators } = figures;
  const personsAccompanied = indicators['taux-dossiers-actifs'].denominator;
  const reports: MeasureReport[] = [];
  for (const id of MEASURE_IDS) {
    let group: MeasureReportGroup;
    switch (id) {
      case 'taux-dossiers-actifs':
      case 'taux-mssante':
      case 'taux-dmp':
        group = rateGroup(indicators[id], indicators[id].denominator);
        break;
      case 'taux-projet-personnalise':
      case 'taux-evenement-agenda':
        // Their denominator is the active dossiers; the initial population stays the persons accompanied.
        group = rateGroup(indicators[id], personsAccompanied);
        break;
      case 'e-prescriptions-importees':
        group = ePrescriptionGroup(indicators[id]);
        break;
      case 'echanges-e-parcours':
        group = countGroup(indicators[id].total);
        break;
      case 'dossiers-actifs':
        group = countGroup(figures.dossiersActifs);
        break;
      case 'file-active':
        group = countGroup(figures.fileActive);
        break;
    }
    reports.push({
      resourceType: 'MeasureReport',
      status: 'complete',
      type: 'summary',
      measure: measureCanonical(id),
      reporter: {
        identifier: { system: IDENTIFIER_SYSTEMS.finess, value: figures.finess },
        ...(figures.name === null ? {} : { display: figures.name }),
      },
      period: { ...figures.period },
      group: [group],
    });
  }
  return reports;
}

function population(code: PopulationCode, count: number): MeasureReportGroupPopulation {
  return { code: populationCode(code), count };
}

function rateGroup(result: RateResult, initialPopulation: number): MeasureReportGroup {
  const group: MeasureReportGroup = {
    population: [
      population('initial-population', initialPopulation),
      population('denominator', result.denominator),
      population('numerator', result.numerator),
    ],
  };
  // The exact ratio (rate / 100), not the one-decimal display rate; no score at all without a denominator.
  if (result.denominator > 0) group.measureScore = { value: result.numerator / result.denominator };
  return group;
}

function countQuantity(count: number): Quantity {
  return { value: count, system: UCUM_SYSTEM, code: '1' };
}

function countGroup(count: number): MeasureReportGroup {
  return { population: [population('initial-population', count)], measureScore: countQuantity(count) };
}

function ePrescriptionGroup(result: EPrescriptionResult): MeasureReportGroup {
  const stratifier: MeasureReportGroupStratifier = {
    code: [MONTH_STRATIFIER_CODE],
    stratum: Object.keys(result.byMonth)
      .sort()
      .map((month) => {
        const count = result.byMonth[month] ?? 0;
        return {
          value: { text: month },
          population: [population('initial-population', count)],
          measureScore: countQuantity(count),
        };
      }),
  };
  return { ...countGroup(result.total), stratifier: [stratifier] };
}

/** An organisme gestionnaire's period: its ESSMS share the dates; offsets only when they share a zone. */
function organisationPeriod(members: readonly EstablishmentResult[]): Period {
  const first = members[0];
  if (first === undefined) throw new RangeError('An organisation has no reported establishment.');
  const sameZone = members.every((m) => m.timezone === first.timezone);
  const samePeriod = members.every(
    (m) => m.period.start === first.period.start && m.period.end === first.period.end,
  );
  if (sameZone && samePeriod) return periodWithOffsets(first);
  // ESSMS in different time zones have no common instant boundaries: report the local dates (FHIR allows
  // date-only `dateTime`s), which are the same for every ESSMS of one measurement date.
  const starts = members.map((m) => m.period.start).sort();
  const ends = members.map((m) => m.period.end).sort();
  return { start: starts[0] ?? first.period.start, end: ends[ends.length - 1] ?? first.period.end };
}

/**
 * The period P of an ESSMS as FHIR instants with offsets: from the first instant of P's first local day
 * to the last instant (millisecond) of its last local day, in the ESSMS's time zone.
 *
 * @throws RangeError for an unknown time zone or malformed dates.
 */
export function periodWithOffsets(establishment: {
  finess: string;
  timezone: string;
  period: LocalPeriod;
}): Period {
  const { timezone, period } = establishment;
  if (!isValidTimezone(timezone)) {
    throw new RangeError(`Unknown time zone "${timezone}" for ESSMS ${establishment.finess}.`);
  }
  const startMs = startOfLocalDay(localDate(period.start), timezone);
  const endMs = startOfLocalDay(localDate(period.end) + MS_PER_DAY, timezone) - 1;
  if (endMs < startMs) {
    throw new RangeError(
      `Period ${period.start}…${period.end} of ESSMS ${establishment.finess} is inverted.`,
    );
  }
  return { start: formatWithOffset(startMs, timezone, false), end: formatWithOffset(endMs, timezone, true) };
}

const MS_PER_DAY = 86_400_000;

function localDate(date: string): number {
  const wall = localDateToWallMs(date);
  if (Number.isNaN(wall)) throw new RangeError(`"${date}" is not a local date (YYYY-MM-DD).`);
  return wall;
}
