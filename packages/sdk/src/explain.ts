import type { IndicatorId } from './results.js';

/**
 * Explainability (indicators.md): for every ESSMS and indicator, who is in the denominator and numerator,
 * and why each person is out of the numerator. Local only: never submitted. Person ids are the canonical
 * Patient reference of each person (pseudonyms when computed from a projection).
 */
export type ExclusionReason =
  | 'no-update-in-period'
  | 'not-accompanied-in-period'
  | 'not-an-active-dossier'
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
  /** Every person accompanied in P, with the Patient records merged into each. */
  persons: { person: string; records: string[] }[];
  indicators: Partial<Record<IndicatorId, IndicatorExplanation>>;
}

/** Subject lists: the explanation of every ESSMS, as sealed (pseudonymised) in evidence. */
export type SubjectLists = EstablishmentExplanation[];
