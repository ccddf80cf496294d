/**
 * contract.md §3 "FHIR outputs": the summary `MeasureReport`s that carry the figures of a results
 * document. `status` complete, `type` summary, `measure` the canonical with its version
 * (`…|MEASURES_VERSION`), `period` P with offsets, `reporter` the ESSMS (an `Organization`) by its FINESS,
 * `group.population` counts (with ids) and, for the rates, `measureScore` and `improvementNotation`; the
 * counts are cohorts: their population count is the figure, with no score. A narrative says the same for a
 * reader. `date` is the caller's (`MeasureReportOptions.date`): pure, no clock. Only aggregate counts are
 * produced: never a subject, never a person-level list; this is what may leave the machine.
 */
import type {
  MeasureReport,
  MeasureReportGroup,
  MeasureReportGroupPopulation,
  MeasureReportGroupStratifier,
  Period,
} from 'fhir/r4.js';
import {
  INDICATORS,
  MEASURE_IDS,
  RATE_INDICATOR_IDS,
  type CountIndicatorId,
  type FigureId,
  type MeasureId,
} from '../indicators/registry.js';
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
import {
  INCREASE,
  MONTH_STRATIFIER_CODE,
  populationCode,
  versionedMeasureCanonical,
  type PopulationCode,
} from './measures.js';
import { generatedNarrative } from './narrative.js';

export interface MeasureReportOptions {
  /** Also report the organismes gestionnaires' roll-ups (reporter = the FINESS juridique). Default `false`. */
  includeOrganisations?: boolean | undefined;
  /**
   * `MeasureReport.date`: when the reports were made (a FHIR dateTime, e.g. the run's start). The SDK has
   * no clock: without it, `date` is left out (FHIR allows that; the DEQM summary profile asks for it).
   */
  date?: string | undefined;
}

/** What one reporter (an ESSMS or an organisme gestionnaire) reports. */
interface ReporterFigures {
  finess: string;
  name: string | null;
  period: Period;
  /** P as local dates, for the narrative. */
  localPeriod: LocalPeriod;
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
  const date = options?.date;
  const reports = establishments.flatMap((establishment) =>
    reportsFor(
      {
        finess: establishment.finess,
        name: establishment.name,
        period: periodWithOffsets(establishment),
        localPeriod: establishment.period,
        indicators: establishment.indicators,
        dossiersActifs: establishment.dossiersActifs,
        fileActive: establishment.fileActive,
      },
      date,
    ),
  );
  if (options?.includeOrganisations === true) {
    for (const organisation of [...results.organisations].sort(byFiness)) {
      const members = establishments.filter((e) => organisation.establishments.includes(e.finess));
      const period = organisationPeriod(members);
      reports.push(
        ...reportsFor(
          {
            finess: organisation.finess,
            name: organisation.name,
            period,
            localPeriod: {
              start: (period.start ?? '').slice(0, 10),
              end: (period.end ?? '').slice(0, 10),
            },
            indicators: organisation.indicators,
            dossiersActifs: organisation.dossiersActifs,
            fileActive: organisation.fileActive,
          },
          date,
        ),
      );
    }
  }
  return reports;
}

function byFiness(a: { finess: string }, b: { finess: string }): number {
  return a.finess < b.finess ? -1 : a.finess > b.finess ? 1 : 0;
}

function reportsFor(figures: ReporterFigures, date: string | undefined): MeasureReport[] {
  const { indicators } = figures;
  const personsAccompanied = personsAccompaniedOf(indicators);
  const reports: MeasureReport[] = [];
  for (const id of MEASURE_IDS) {
    const definition = INDICATORS[id];
    let group: MeasureReportGroup;
    if (definition.kind === 'rate') {
      const result = indicators[definition.id];
      // The initial population is the persons accompanied, also for a rate over the active dossiers.
      group = rateGroup(
        result,
        definition.denominator === 'persons-accompanied' ? result.denominator : personsAccompanied,
      );
    } else {
      group = countGroupOf(definition.id, figures);
    }
    const isRate = definition.kind === 'rate';
    reports.push({
      resourceType: 'MeasureReport',
      text: generatedNarrative(narrativeOf(id, figures, group)),
      status: 'complete',
      type: 'summary',
      measure: versionedMeasureCanonical(id),
      ...(date === undefined ? {} : { date }),
      reporter: {
        type: 'Organization',
        identifier: { system: IDENTIFIER_SYSTEMS.finess, value: figures.finess },
        ...(figures.name === null ? {} : { display: figures.name }),
      },
      period: { ...figures.period },
      ...(isRate ? { improvementNotation: INCREASE } : {}),
      group: [group],
    });
  }
  return reports;
}

/** The persons accompanied in P: the denominator of the registry's rates over them. */
function personsAccompaniedOf(indicators: IndicatorResults): number {
  const id = RATE_INDICATOR_IDS.find((rate) => INDICATORS[rate].denominator === 'persons-accompanied')!;
  return indicators[id].denominator;
}

/** The group of an optional indicator or a further figure. */
function countGroupOf(id: CountIndicatorId | FigureId, figures: ReporterFigures): MeasureReportGroup {
  switch (id) {
    case 'e-prescriptions-importees':
      return ePrescriptionGroup(figures.indicators[id]);
    case 'echanges-e-parcours':
      return countGroup(figures.indicators[id].total);
    case 'dossiers-actifs':
      return countGroup(figures.dossiersActifs);
    case 'file-active':
      return countGroup(figures.fileActive);
  }
}

function population(code: PopulationCode, count: number): MeasureReportGroupPopulation {
  // Ids as in the Measure's populations (fhir/measures.ts).
  return { id: code, code: populationCode(code), count };
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

/** A cohort's figure is its population count: no score (FHIR cohort scoring has none). */
function countGroup(count: number): MeasureReportGroup {
  return { population: [population('initial-population', count)] };
}

function ePrescriptionGroup(result: EPrescriptionResult): MeasureReportGroup {
  const stratifier: MeasureReportGroupStratifier = {
    code: [MONTH_STRATIFIER_CODE],
    stratum: Object.keys(result.byMonth)
      .sort()
      .map((month) => {
        const count = result.byMonth[month] ?? 0;
        return { value: { text: month }, population: [population('initial-population', count)] };
      }),
  };
  return { ...countGroup(result.total), stratifier: [stratifier] };
}

/** What a reader of the report sees: the measure, who reports, P, and the figure. */
function narrativeOf(id: MeasureId, figures: ReporterFigures, group: MeasureReportGroup): string[] {
  const definition = INDICATORS[id];
  const who =
    figures.name === null ? `FINESS ${figures.finess}` : `${figures.name} (FINESS ${figures.finess})`;
  const lines = [definition.title, `${who}, du ${figures.localPeriod.start} au ${figures.localPeriod.end}.`];
  const count = (code: PopulationCode): number | undefined =>
    group.population?.find((p) => p.id === code)?.count;
  if (definition.kind === 'rate') {
    const numerator = count('numerator') ?? 0;
    const denominator = count('denominator') ?? 0;
    const rate =
      denominator === 0
        ? 'taux non calculable (aucun dénominateur)'
        : `${formatPercent((100 * numerator) / denominator)} %`;
    lines.push(`${numerator} / ${denominator} : ${rate} ; cible ${definition.target} %.`);
  } else {
    lines.push(`Valeur : ${count('initial-population') ?? 0}.`);
    const strata = group.stratifier?.[0]?.stratum ?? [];
    if (strata.length > 0) {
      lines.push(strata.map((s) => `${s.value?.text ?? '?'} : ${s.population?.[0]?.count ?? 0}`).join(' ; '));
    }
  }
  return lines;
}

/** One decimal, French style (90,0). */
function formatPercent(value: number): string {
  return (Math.round(value * 10) / 10).toFixed(1).replace('.', ',');
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
