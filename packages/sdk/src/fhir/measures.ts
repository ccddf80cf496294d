/**
 * contract.md §3 "FHIR outputs": one FHIR `Measure` per indicator of the registry (indicators/registry.ts),
 * canonical `https://esms-numerique.github.io/fhir/Measure/<id>`, shipped with the SDK. Their digest is
 * sealed with every evidence run, so a change here is a new `MEASURES_VERSION`. Each has a narrative, its
 * populations have ids, and only the rates (proportion, and MSSanté's ratio) say which way is better
 * (`improvementNotation`): the counts are cohorts, with no score and no direction.
 */
import type { CodeableConcept, Measure, MeasureGroup, MeasureGroupPopulation } from 'fhir/r4.js';
import { generatedNarrative } from './narrative.js';
import {
  INDICATORS,
  MEASURE_IDS,
  POPULATIONS,
  type IndicatorDefinition,
  type MeasureId,
} from '../indicators/registry.js';
import { ESMS_CANONICAL_BASE } from '../vocabulary/systems.js';

/** Base of the measures' canonical URLs. */
const MEASURE_CANONICAL_BASE = `${ESMS_CANONICAL_BASE}/Measure/`;
/**
 * Version of the measure definitions (the 2024 call for projects). 2024.1.1: narratives, population ids,
 * no direction on the counts; `calendar-year` numerators drawn from the year's population; one
 * `Type/id`, one record (issue 9).
 */
export const MEASURES_VERSION = '2024.1.1';

const MEASURE_POPULATION_SYSTEM = 'http://terminology.hl7.org/CodeSystem/measure-population';
const MEASURE_SCORING_SYSTEM = 'http://terminology.hl7.org/CodeSystem/measure-scoring';
const MEASURE_TYPE_SYSTEM = 'http://terminology.hl7.org/CodeSystem/measure-type';
const IMPROVEMENT_NOTATION_SYSTEM = 'http://terminology.hl7.org/CodeSystem/measure-improvement-notation';
/** Stratifier code of the monthly breakdown of `e-prescriptions-importees`. */
const STRATIFIER_SYSTEM = `${ESMS_CANONICAL_BASE}/CodeSystem/stratifier`;

export type PopulationCode = 'initial-population' | 'denominator' | 'numerator';

/** The canonical URL of a measure (`https://esms-numerique.github.io/fhir/Measure/<id>`). */
export function measureCanonical(id: MeasureId): string {
  return `${MEASURE_CANONICAL_BASE}${id}`;
}

/** The canonical reference to this version of a measure (`…/Measure/<id>|2024.1.0`), as MeasureReports cite it. */
export function versionedMeasureCanonical(id: MeasureId): string {
  return `${measureCanonical(id)}|${MEASURES_VERSION}`;
}

/** "Higher is better": the rates (their targets are minimums). */
export const INCREASE: CodeableConcept = {
  coding: [{ system: IMPROVEMENT_NOTATION_SYSTEM, code: 'increase' }],
};

export function populationCode(code: PopulationCode): CodeableConcept {
  return { coding: [{ system: MEASURE_POPULATION_SYSTEM, code }] };
}

export const MONTH_STRATIFIER_CODE: CodeableConcept = {
  coding: [{ system: STRATIFIER_SYSTEM, code: 'month' }],
  text: 'month',
};

/** A rate's three populations; a count's one. */
function populationsOf(definition: IndicatorDefinition): { code: PopulationCode; description: string }[] {
  if (definition.kind !== 'rate') return [{ code: 'initial-population', description: definition.population }];
  return [
    { code: 'initial-population', description: POPULATIONS['persons-accompanied'].description },
    { code: 'denominator', description: POPULATIONS[definition.denominator].description },
    { code: 'numerator', description: definition.numerator.description },
  ];
}

function toMeasure(definition: IndicatorDefinition): Measure {
  const group: MeasureGroup = {
    population: populationsOf(definition).map((population): MeasureGroupPopulation => ({
      id: population.code,
      code: populationCode(population.code),
      description: population.description,
      // The rules are defined in prose (indicators.md) and implemented by the SDK, not in CQL.
      criteria: { language: 'text/plain', expression: population.description },
    })),
  };
  if (definition.kind !== 'rate' && definition.byMonth) {
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
    text: generatedNarrative([
      definition.title,
      definition.description,
      ...(definition.kind === 'rate'
        ? [`Cible : ${definition.target} % (appel à projets ESMS numérique 2024).`]
        : []),
    ]),
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
    // A cohort (a count) has no score, so no direction either.
    ...(definition.kind === 'rate'
      ? {
          improvementNotation: INCREASE,
          guidance: `Cible : ${definition.target} % (appel à projets ESMS numérique 2024).`,
        }
      : {}),
    group: [group],
  };
}

/** One FHIR `Measure` per indicator id of indicators.md, in reporting order. */
export const MEASURES: readonly Measure[] = Object.freeze(MEASURE_IDS.map((id) => toMeasure(INDICATORS[id])));
