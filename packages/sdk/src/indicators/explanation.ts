/**
 * indicators.md "Explainability": for every ESSMS and indicator, which persons are in the denominator and
 * numerator, and why each person is out of the numerator (each rule's `reason`). Local only: never
 * submitted.
 */
import type { EstablishmentExplanation, ExclusionReason, IndicatorExplanation } from '../explain.js';
import type { Establishment } from '../resolve/establishments.js';
import type { Person } from '../resolve/persons.js';
import { RATE_RULES, type RateLists } from './rates.js';
import { INDICATORS, RATE_INDICATOR_IDS } from './registry.js';

export function explainEstablishment(
  e: Establishment,
  lists: RateLists,
  persons: ReadonlyMap<string, Person>,
): EstablishmentExplanation {
  const get = (id: string): Person => persons.get(id)!;
  const indicators: EstablishmentExplanation['indicators'] = {};
  for (const id of RATE_INDICATOR_IDS) {
    const rule = RATE_RULES[id];
    const denominator =
      INDICATORS[id].denominator === 'active-dossiers' ? lists.activeDossiers : lists.personsAccompanied;
    if (rule.kind === 'messages') {
      indicators[id] = { denominator, numerator: [], outOfNumerator: [], counted: rule.counted(e) };
      continue;
    }
    indicators[id] = explain(denominator, lists.numerators[id] ?? [], (person) =>
      rule.reason(get(person), e),
    );
  }
  return {
    finess: e.finess,
    persons: lists.personsAccompanied.map((id) => ({ person: id, records: get(id).records })),
    indicators,
  };
}

function explain(
  denominator: string[],
  numerator: string[],
  reason: (person: string) => ExclusionReason,
): IndicatorExplanation {
  const inNumerator = new Set(numerator);
  return {
    denominator,
    numerator,
    outOfNumerator: denominator
      .filter((person) => !inNumerator.has(person))
      .map((person) => ({ person, reason: reason(person) })),
  };
}
