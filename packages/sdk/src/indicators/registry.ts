/**
 * The indicator registry: the one place where the indicators of indicators.md are named. Ids, French
 * titles, targets, membership of the SONS Vérification d'Aptitude, FHIR scoring and populations are
 * written here once; the FHIR `Measure`s (fhir/measures.ts), the targets of every `RateResult`, the VA
 * check (va-ready.ts), and the agent's report, table and exports derive from it. The order of the entries
 * is the reporting order (the order of indicators.md).
 */

/** The five mandatory indicators (indicators.md "The five mandatory indicators"). */
export type RateIndicatorId =
  'taux-dossiers-actifs' | 'taux-projet-personnalise' | 'taux-evenement-agenda' | 'taux-mssante' | 'taux-dmp';
/** The optional indicators, counts without target (indicators.md "Optional indicators"). */
export type CountIndicatorId = 'e-prescriptions-importees' | 'echanges-e-parcours';
/** The indicators of a results document's `indicators`. */
export type IndicatorId = RateIndicatorId | CountIndicatorId;
/** The further figures reported with every result (indicators.md "Further figures"). */
export type FigureId = 'dossiers-actifs' | 'file-active';
/** Every measure the SDK ships: the seven indicators plus the two further figures. */
export type MeasureId = IndicatorId | FigureId;

/** Who a rate is over: the persons accompanied in P, or the active dossiers among them. */
export type Population = 'persons-accompanied' | 'active-dossiers';

interface Described<Id extends MeasureId> {
  id: Id;
  /** Computable name (FHIR `Measure.name`). */
  name: string;
  /** The programme's French name. */
  title: string;
  /**
   * A heading in words a director reads without a legend, never abbreviated ("Projet personnalisé", not
   * "Projet perso."): the attestation's and the dashboard's columns and rows.
   */
  heading: string;
  /** A column header of a terminal table, abbreviated to fit (`esms compute --format table`). */
  shortTitle: string;
  /** A word or two, for one line per ESSMS (`esms status`). */
  terseTitle: string;
  /** What it measures, in French (FHIR `Measure.description`). */
  description: string;
}

export interface RateIndicatorDefinition extends Described<RateIndicatorId> {
  kind: 'rate';
  /**
   * `proportion` when the numerator is a subset of the denominator; `ratio` for `taux-mssante`, which
   * counts messages, not persons (its rate may exceed 100 %).
   */
  scoring: 'proportion' | 'ratio';
  /** Target in percent. */
  target: number;
  /** Whether it is one of the three DUI indicators of the SONS Vérification d'Aptitude. */
  vaReady: boolean;
  denominator: Population;
  numerator: {
    /** FHIR population description. */
    description: string;
    /** What it counts, in plain words (a report's "12 / 15 dossiers mis à jour / personnes accompagnées"). */
    label: string;
  };
}

export interface CountDefinition extends Described<CountIndicatorId | FigureId> {
  /** `count`: an optional indicator; `figure`: a further figure. Both are FHIR `cohort`s. */
  kind: 'count' | 'figure';
  scoring: 'cohort';
  /** FHIR description of the one population counted. */
  population: string;
  /** Also counted per local calendar month that P touches. */
  byMonth: boolean;
}

export type IndicatorDefinition = RateIndicatorDefinition | CountDefinition;

/** The populations rates are over, as FHIR describes them and in plain words. */
export const POPULATIONS: Readonly<Record<Population, { description: string; label: string }>> = {
  'persons-accompanied': {
    description:
      'Personnes accompagnées par l’ESSMS pendant la période de recueil (au moins un séjour ou accompagnement qui la chevauche).',
    label: 'personnes accompagnées',
  },
  'active-dossiers': {
    description:
      'Dossiers actifs : personnes accompagnées dont le dossier a été mis à jour au moins une fois pendant la période.',
    label: 'dossiers actifs',
  },
};

type RateSpec = Omit<RateIndicatorDefinition, 'id' | 'kind' | 'description'> & { summary: string };
type CountSpec = Omit<CountDefinition, 'id' | 'kind' | 'scoring' | 'byMonth' | 'description'> & {
  description?: string;
  summary?: string;
  byMonth?: true;
};

const rate = (spec: RateSpec) => ({ kind: 'rate' as const, ...spec });
const optional = (spec: CountSpec) => ({ kind: 'count' as const, ...spec });
const figure = (spec: CountSpec) => ({ kind: 'figure' as const, ...spec });

/** The definitions, in reporting order, in French as in the call for projects. */
const DEFINITIONS = {
  'taux-dossiers-actifs': rate({
    name: 'TauxDossiersActifs',
    title: 'Taux de dossiers actifs',
    heading: 'Dossiers actifs',
    shortTitle: 'Dossiers actifs',
    terseTitle: 'actifs',
    summary:
      'Part des personnes accompagnées pendant la période de recueil (les 3 mois précédant la date de mesure) dont le dossier usager informatisé a été mis à jour (création, modification ou suppression) au moins une fois pendant la période.',
    scoring: 'proportion',
    target: 90,
    vaReady: true,
    denominator: 'persons-accompanied',
    numerator: { description: POPULATIONS['active-dossiers'].description, label: 'dossiers mis à jour' },
  }),
  'taux-projet-personnalise': rate({
    name: 'TauxDossiersActifsAvecProjetPersonnalise',
    title: 'Taux de dossiers actifs avec un projet personnalisé',
    heading: 'Projet personnalisé',
    shortTitle: 'Projet perso.',
    terseTitle: 'PP',
    summary:
      'Part des dossiers actifs comportant un projet personnalisé en préparation ou en cours pendant la période de recueil.',
    scoring: 'proportion',
    target: 90,
    vaReady: true,
    denominator: 'active-dossiers',
    numerator: {
      description: 'Dossiers actifs avec un projet personnalisé en préparation ou en cours.',
      label: 'avec projet personnalisé',
    },
  }),
  'taux-evenement-agenda': rate({
    name: 'TauxDossiersActifsAvecEvenementAgenda',
    title: 'Taux de dossiers actifs ayant au moins un événement dans l’agenda',
    heading: 'Événement dans l’agenda',
    shortTitle: 'Événement agenda',
    terseTitle: 'agenda',
    summary:
      'Part des dossiers actifs dont la personne a au moins un événement d’agenda débutant pendant la période de recueil.',
    scoring: 'proportion',
    target: 90,
    vaReady: true,
    denominator: 'active-dossiers',
    numerator: {
      description: 'Dossiers actifs ayant au moins un événement d’agenda débutant dans la période.',
      label: 'avec un événement',
    },
  }),
  'taux-mssante': rate({
    name: 'TauxUtilisationMSSante',
    title: 'Taux d’utilisation de la MSSanté',
    heading: 'MSSanté',
    shortTitle: 'MSSanté',
    terseTitle: 'MSSanté',
    summary:
      'Nombre de messages MSSanté envoyés par l’ESSMS pendant la période de recueil, rapporté au nombre de personnes accompagnées (des messages, non des personnes : le taux peut dépasser 100 %).',
    scoring: 'ratio',
    target: 70,
    vaReady: false,
    denominator: 'persons-accompanied',
    numerator: {
      description: 'Messages MSSanté envoyés avec succès par l’ESSMS dans la période.',
      label: 'messages envoyés',
    },
  }),
  'taux-dmp': rate({
    name: 'TauxUtilisationDMP',
    title: 'Taux d’utilisation du DMP',
    heading: 'DMP',
    shortTitle: 'DMP',
    terseTitle: 'DMP',
    summary:
      'Part des personnes accompagnées pendant la période de recueil pour lesquelles au moins un document a été versé dans leur DMP (Mon espace santé) par l’ESSMS pendant la période.',
    scoring: 'proportion',
    target: 70,
    vaReady: false,
    denominator: 'persons-accompanied',
    numerator: {
      description: 'Personnes accompagnées avec au moins un document versé au DMP dans la période.',
      label: 'personnes avec DMP alimenté',
    },
  }),
  'e-prescriptions-importees': optional({
    name: 'EPrescriptionsImportees',
    title: 'Nombre d’e-prescriptions importées',
    heading: 'E-prescriptions',
    shortTitle: 'E-presc.',
    terseTitle: 'e-presc.',
    summary:
      'Nombre d’e-prescriptions importées dans le DUI de l’ESSMS, par mois civil local touché par la période de recueil et au total.',
    population: 'E-prescriptions importées dans la période.',
    byMonth: true,
  }),
  'echanges-e-parcours': optional({
    name: 'EchangesEParcours',
    title: 'Nombre d’échanges avec les services e-parcours',
    heading: 'Échanges e-parcours',
    shortTitle: 'E-parcours',
    terseTitle: 'e-parcours',
    summary:
      'Nombre d’échanges avec les services numériques de coordination e-parcours pendant la période de recueil.',
    population: 'Échanges e-parcours de l’ESSMS dans la période.',
  }),
  'dossiers-actifs': figure({
    name: 'NombreDossiersActifs',
    title: 'Nombre de DUI actifs',
    heading: 'Dossiers actifs',
    shortTitle: 'DUI actifs',
    terseTitle: 'DUI actifs',
    description:
      'Nombre de dossiers actifs : personnes accompagnées pendant la période de recueil dont le dossier a été mis à jour au moins une fois pendant la période (le numérateur du taux de dossiers actifs, en valeur absolue).',
    population: POPULATIONS['active-dossiers'].description,
  }),
  'file-active': figure({
    name: 'FileActive',
    title: 'File active',
    heading: 'File active',
    shortTitle: 'File active',
    terseTitle: 'file active',
    description:
      'Personnes accompagnées par l’ESSMS au moins une fois pendant l’année civile qui contient le dernier jour de la période de recueil, chacune comptée une fois.',
    population: 'Personnes accompagnées au moins une fois dans l’année civile.',
  }),
} satisfies { readonly [K in RateIndicatorId]: ReturnType<typeof rate> } & {
  readonly [K in CountIndicatorId]: ReturnType<typeof optional>;
} & { readonly [K in FigureId]: ReturnType<typeof figure> };

/** Every indicator and figure by id. */
export type IndicatorRegistry = { readonly [K in RateIndicatorId]: Readonly<RateIndicatorDefinition> } & {
  readonly [K in CountIndicatorId | FigureId]: Readonly<CountDefinition>;
};

/**
 * The registry: every measure by id, in reporting order (`MEASURE_IDS`). Descriptions state the target
 * (rates) or that there is none (optional indicators), from the entry itself, so the prose cannot drift
 * from the figures.
 */
export const INDICATORS = Object.freeze(
  Object.fromEntries(
    Object.entries(DEFINITIONS).map(([id, spec]) => [id, Object.freeze(complete(id as MeasureId, spec))]),
  ),
) as IndicatorRegistry;

function complete(
  id: MeasureId,
  spec: ReturnType<typeof rate> | ReturnType<typeof optional> | ReturnType<typeof figure>,
): IndicatorDefinition {
  if (spec.kind === 'rate') {
    const { summary, ...rest } = spec;
    return { id: id as RateIndicatorId, ...rest, description: `${summary} Cible : ${spec.target} %.` };
  }
  const { summary, description, byMonth, ...rest } = spec;
  return {
    id: id as CountIndicatorId | FigureId,
    ...rest,
    scoring: 'cohort',
    description: description ?? `${summary ?? ''} Indicateur optionnel, sans cible.`,
    byMonth: byMonth === true,
  };
}

/** Measure ids in their reporting order (the order of indicators.md). */
export const MEASURE_IDS: readonly MeasureId[] = Object.freeze(Object.keys(INDICATORS) as MeasureId[]);

/** The definition of one measure. */
export function indicatorDefinition(id: MeasureId): Readonly<IndicatorDefinition> {
  return INDICATORS[id];
}

function isRate(id: MeasureId): id is RateIndicatorId {
  return INDICATORS[id].kind === 'rate';
}

/** The five mandatory rate indicators, in reporting order. */
export const RATE_INDICATOR_IDS: readonly RateIndicatorId[] = Object.freeze(MEASURE_IDS.filter(isRate));

/** The three DUI indicators of the SONS Vérification d'Aptitude. */
export const VA_INDICATOR_IDS: readonly RateIndicatorId[] = Object.freeze(
  RATE_INDICATOR_IDS.filter((id) => INDICATORS[id].vaReady),
);

/** Indicator targets in percent. */
export const TARGETS: Readonly<Record<RateIndicatorId, number>> = Object.freeze(
  Object.fromEntries(RATE_INDICATOR_IDS.map((id) => [id, INDICATORS[id].target])) as Record<
    RateIndicatorId,
    number
  >,
);
