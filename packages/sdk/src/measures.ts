/**
 * The FHIR outputs of contract.md §3: one `Measure` per indicator (shipped with the SDK) and the summary
 * `MeasureReport`s that carry the figures of a results document. Pure: no I/O, no clock (a report's
 * `date` is left for the caller to set). Only aggregate counts are produced: never a subject, never a
 * person-level list; this is what may leave the machine.
 */
import { formatWithOffset, isValidTimezone, localDateToWallMs, startOfLocalDay } from './time.js';
import type {
  CodeableConcept,
  Measure,
  MeasureGroup,
  MeasureGroupPopulation,
  MeasureReport,
  MeasureReportGroup,
  MeasureReportGroupPopulation,
  MeasureReportGroupStratifier,
  Period,
  Quantity,
} from 'fhir/r4.js';
import type {
  EPrescriptionResult,
  EstablishmentResult,
  IndicatorResults,
  LocalPeriod,
  RateIndicatorId,
  RateResult,
  ResultsDocument,
} from './results.js';

/** Every measure the SDK ships: the seven indicators of indicators.md plus the two further figures. */
export type MeasureId =
  RateIndicatorId | 'e-prescriptions-importees' | 'echanges-e-parcours' | 'dossiers-actifs' | 'file-active';

/** Measure ids in their reporting order (the order of indicators.md). */
export const MEASURE_IDS: readonly MeasureId[] = [
  'taux-dossiers-actifs',
  'taux-projet-personnalise',
  'taux-evenement-agenda',
  'taux-mssante',
  'taux-dmp',
  'e-prescriptions-importees',
  'echanges-e-parcours',
  'dossiers-actifs',
  'file-active',
];

/** Base of the measures' canonical URLs. */
export const MEASURE_CANONICAL_BASE = 'https://esms-numerique.github.io/fhir/Measure/';
/** Identifier system of FINESS numbers (géographique and juridique), as in data-model.md. */
export const FINESS_SYSTEM = 'https://finess.esante.gouv.fr';
/** Version of the measure definitions (the 2024 call for projects). */
export const MEASURES_VERSION = '2024.1.0';

const MEASURE_POPULATION_SYSTEM = 'http://terminology.hl7.org/CodeSystem/measure-population';
const MEASURE_SCORING_SYSTEM = 'http://terminology.hl7.org/CodeSystem/measure-scoring';
const MEASURE_TYPE_SYSTEM = 'http://terminology.hl7.org/CodeSystem/measure-type';
const IMPROVEMENT_NOTATION_SYSTEM = 'http://terminology.hl7.org/CodeSystem/measure-improvement-notation';
const UCUM_SYSTEM = 'http://unitsofmeasure.org';
/** Stratifier code of the monthly breakdown of `e-prescriptions-importees`. */
const STRATIFIER_SYSTEM = 'https://esms-numerique.github.io/fhir/CodeSystem/stratifier';

type PopulationCode = 'initial-population' | 'denominator' | 'numerator';
type Scoring = 'proportion' | 'ratio' | 'cohort';

interface MeasureDefinition {
  id: MeasureId;
  /** Computable name (FHIR `Measure.name`). */
  name: string;
  title: string;
  description: string;
  scoring: Scoring;
  /** Target in percent for the mandatory rates. */
  target?: number;
  populations: ReadonlyArray<{ code: PopulationCode; description: string }>;
  stratifierByMonth?: true;
}

const PERSONS_ACCOMPANIED =
  'Personnes accompagnées par l’ESSMS pendant la période de recueil (au moins un séjour ou accompagnement qui la chevauche).';
const ACTIVE_DOSSIERS =
  'Dossiers actifs : personnes accompagnées dont le dossier a été mis à jour au moins une fois pendant la période.';

/**
 * The definitions, in French as in the call for projects (indicators.md). `taux-mssante` counts messages,
 * not persons, so its numerator is not a subset of its denominator: it is scored as a FHIR `ratio`
 * rather than a `proportion` (its rate may exceed 100 %).
 */
const DEFINITIONS: readonly MeasureDefinition[] = [
  {
    id: 'taux-dossiers-actifs',
    name: 'TauxDossiersActifs',
    title: 'Taux de dossiers actifs',
    description:
      'Part des personnes accompagnées pendant la période de recueil (les 3 mois précédant la date de mesure) dont le dossier usager informatisé a été mis à jour (création, modification ou suppression) au moins une fois pendant la période. Cible : 90 %.',
    scoring: 'proportion',
    target: 90,
    populations: [
      { code: 'initial-population', description: PERSONS_ACCOMPANIED },
      { code: 'denominator', description: PERSONS_ACCOMPANIED },
      { code: 'numerator', description: ACTIVE_DOSSIERS },
    ],
  },
  {
    id: 'taux-projet-personnalise',
    name: 'TauxDossiersActifsAvecProjetPersonnalise',
    title: 'Taux de dossiers actifs avec un projet personnalisé',
    description:
      'Part des dossiers actifs comportant un projet personnalisé en préparation ou en cours pendant la période de recueil. Cible : 90 %.',
    scoring: 'proportion',
    target: 90,
    populations: [
      { code: 'initial-population', description: PERSONS_ACCOMPANIED },
      { code: 'denominator', description: ACTIVE_DOSSIERS },
      {
        code: 'numerator',
        description: 'Dossiers actifs avec un projet personnalisé en préparation ou en cours.',
      },
    ],
  },
  {
    id: 'taux-evenement-agenda',
    name: 'TauxDossiersActifsAvecEvenementAgenda',
    title: 'Taux de dossiers actifs ayant au moins un événement dans l’agenda',
    description:
      'Part des dossiers actifs dont la personne a au moins un événement d’agenda débutant pendant la période de recueil. Cible : 90 %.',
    scoring: 'proportion',
    target: 90,
    populations: [
      { code: 'initial-population', description: PERSONS_ACCOMPANIED },
      { code: 'denominator', description: ACTIVE_DOSSIERS },
      {
        code: 'numerator',
        description: 'Dossiers actifs ayant au moins un événement d’agenda débutant dans la période.',
      },
    ],
  },
  {
    id: 'taux-mssante',
    name: 'TauxUtilisationMSSante',
    title: 'Taux d’utilisation de la MSSanté',
    description:
      'Nombre de messages MSSanté envoyés par l’ESSMS pendant la période de recueil, rapporté au nombre de personnes accompagnées (des messages, non des personnes : le taux peut dépasser 100 %). Cible : 70 %.',
    scoring: 'ratio',
    target: 70,
    populations: [
      { code: 'initial-population', description: PERSONS_ACCOMPANIED },
      { code: 'denominator', description: PERSONS_ACCOMPANIED },
      { code: 'numerator', description: 'Messages MSSanté envoyés avec succès par l’ESSMS dans la période.' },
    ],
  },
  {
    id: 'taux-dmp',
    name: 'TauxUtilisationDMP',
    title: 'Taux d’utilisation du DMP',
    description:
      'Part des personnes accompagnées pendant la période de recueil pour lesquelles au moins un document a été versé dans leur DMP (Mon espace santé) par l’ESSMS pendant la période. Cible : 70 %.',
    scoring: 'proportion',
    target: 70,
    populations: [
      { code: 'initial-population', description: PERSONS_ACCOMPANIED },
      { code: 'denominator', description: PERSONS_ACCOMPANIED },
      {
        code: 'numerator',
        description: 'Personnes accompagnées avec au moins un document versé au DMP dans la période.',
      },
    ],
  },
  {
    id: 'e-prescriptions-importees',
    name: 'EPrescriptionsImportees',
    title: 'Nombre d’e-prescriptions importées',
    description:
      'Nombre d’e-prescriptions importées dans le DUI de l’ESSMS, par mois civil local touché par la période de recueil et au total. Indicateur optionnel, sans cible.',
    scoring: 'cohort',
    populations: [{ code: 'initial-population', description: 'E-prescriptions importées dans la période.' }],
    stratifierByMonth: true,
  },
  {
    id: 'echanges-e-parcours',
    name: 'EchangesEParcours',
    title: 'Nombre d’échanges avec les services e-parcours',
    description:
      'Nombre d’échanges avec les services numériques de coordination e-parcours pendant la période de recueil. Indicateur optionnel, sans cible.',
    scoring: 'cohort',
    populations: [
      { code: 'initial-population', description: 'Échanges e-parcours de l’ESSMS dans la période.' },
    ],
  },
  {
    id: 'dossiers-actifs',
    name: 'NombreDossiersActifs',
    title: 'Nombre de DUI actifs',
    description:
      'Nombre de dossiers actifs : personnes accompagnées pendant la période de recueil dont le dossier a été mis à jour au moins une fois pendant la période (le numérateur du taux de dossiers actifs, en valeur absolue).',
    scoring: 'cohort',
    populations: [{ code: 'initial-population', description: ACTIVE_DOSSIERS }],
  },
  {
    id: 'file-active',
    name: 'FileActive',
    title: 'File active',
    description:
      'Personnes accompagnées par l’ESSMS au moins une fois pendant l’année civile qui contient le dernier jour de la période de recueil, chacune comptée une fois.',
    scoring: 'cohort',
    populations: [
      {
        code: 'initial-population',
        description: 'Personnes accompagnées au moins une fois dans l’année civile.',
      },
    ],
  },
];

/** The canonical URL of a measure (`https://esms-numerique.github.io/fhir/Measure/<id>`). */
export function measureCanonical(id: MeasureId): string {
  return `${MEASURE_CANONICAL_BASE}${id}`;
}

function populationCode(code: PopulationCode): CodeableConcept {
  return { coding: [{ system: MEASURE_POPULATION_SYSTEM, code }] };
}

const MONTH_STRATIFIER_CODE: CodeableConcept = {
  coding: [{ system: STRATIFIER_SYSTEM, code: 'month' }],
  text: 'month',
};

function toMeasure(definition: MeasureDefinition): Measure {
  const group: MeasureGroup = {
    population: definition.populations.map((population): MeasureGroupPopulation => ({
      code: populationCode(population.code),
      description: population.description,
      // The rules are defined in prose (indicators.md) and implemented by the SDK, not in CQL.
      criteria: { language: 'text/plain', expression: population.description },
    })),
  };
  if (definition.stratifierByMonth === true) {
    group.stratifier = [
      {
        code: MONTH_STRATIFIER_CODE,
        description: 'Mois civil local (AAAA-MM) touché par la période de recueil.',
      },
    ];
  }
  return {
    resourceType: 'Measure',
    id: definition.id,
    url: measureCanonical(definition.id),
    version: MEASURES_VERSION,
    name: definition.name,
    title: definition.title,
    status: 'active',
    experimental: false,
    publisher: 'ESMS numérique',
    description: definition.description,
    jurisdiction: [{ coding: [{ system: 'urn:iso:std:iso:3166', code: 'FR' }] }],
    scoring: { coding: [{ system: MEASURE_SCORING_SYSTEM, code: definition.scoring }] },
    type: [{ coding: [{ system: MEASURE_TYPE_SYSTEM, code: 'process' }] }],
    improvementNotation: { coding: [{ system: IMPROVEMENT_NOTATION_SYSTEM, code: 'increase' }] },
    ...(definition.target === undefined
      ? {}
      : { guidance: `Cible : ${definition.target} % (appel à projets ESMS numérique 2024).` }),
    group: [group],
  };
}

/** One FHIR `Measure` per indicator id of indicators.md, in reporting order. */
export const MEASURES: readonly Measure[] = Object.freeze(DEFINITIONS.map(toMeasure));

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
        identifier: { system: FINESS_SYSTEM, value: figures.finess },
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
