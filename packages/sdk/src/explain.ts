import type { IndicatorId } from './indicators/registry.js';

/**
 * Explainability (indicators.md): for every ESSMS and indicator, who is in the denominator and numerator,
 * and why each person is out of the numerator. Local only: never submitted. Person ids are the canonical
 * Patient reference of each person (pseudonyms when computed from a projection).
 */
export type ExclusionReason =
  | 'no-update-in-period'
  /**
   * No longer given: with `calendar-year`, numerators are drawn from the year's population (issue 9), so
   * every person of a denominator is judged by the rule itself. Kept so that the type stays compatible.
   */
  | 'not-accompanied-in-period'
  | 'no-projet-personnalise'
  | 'projet-personnalise-on-hold'
  | 'projet-personnalise-not-current'
  | 'no-event-in-period'
  | 'no-dmp-document-in-period';

export interface PersonExclusion {
  person: string;
  reason: ExclusionReason;
}

export interface IndicatorExplanation {
  denominator: string[];
  numerator: string[];
  outOfNumerator: PersonExclusion[];
  /** For message counts (MSSanté): how many were attributed through `agent.who` and through a séjour. */
  counted?: { byAgent: number; bySejour: number };
}

export interface EstablishmentExplanation {
  finess: string;
  /** Every person accompanied (per `denominatorScope`), with the Patient records merged into each. */
  persons: { person: string; records: string[] }[];
  indicators: Partial<Record<IndicatorId, IndicatorExplanation>>;
}

/** Subject lists: the explanation of every ESSMS, as sealed (pseudonymised) in evidence. */
export type SubjectLists = EstablishmentExplanation[];

/**
 * Maps every person and record id of subject lists through `pseudonymise`, as `pseudonymiseFact` does for
 * facts: what the evidence seals, so that an auditor can compare them with a recomputation from the
 * (equally pseudonymised) projection.
 */
export function pseudonymiseSubjectLists(
  subjects: SubjectLists,
  pseudonymise: (key: string) => string,
): SubjectLists {
  const p = (key: string): string => (key.startsWith('finess:') ? key : pseudonymise(key));
  return subjects.map((establishment) => ({
    ...establishment,
    persons: establishment.persons.map(({ person, records }) => ({
      person: p(person),
      records: records.map(p),
    })),
    indicators: Object.fromEntries(
      Object.entries(establishment.indicators).map(([id, explanation]) => [
        id,
        {
          ...explanation,
          denominator: explanation.denominator.map(p),
          numerator: explanation.numerator.map(p),
          outOfNumerator: explanation.outOfNumerator.map((exclusion) => ({
            ...exclusion,
            person: p(exclusion.person),
          })),
        },
      ]),
    ),
  }));
}
