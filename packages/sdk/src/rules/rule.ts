import type { ExclusionReason } from '../explain.js';
import type { Establishment } from '../resolve/establishments.js';
import type { Person } from '../resolve/persons.js';

/**
 * What a rate rule decides once everything is read, for one ESSMS: the `value` step of a streaming
 * aggregate, after the `add` steps (the rule's `count…` functions) have counted the records. The
 * population a rate is over (persons accompanied, or active dossiers) comes from the indicator registry.
 */
export interface PersonRule {
  kind: 'persons';
  /** Whether the person is in the numerator at ESSMS `e`. */
  counts(person: Person, e: Establishment): boolean;
  /** Why a person of the denominator who is accompanied in P is not in the numerator. */
  reason(person: Person, e: Establishment): ExclusionReason;
}

/** A rate whose numerator counts messages, not persons (it may exceed its denominator). */
export interface MessageRule {
  kind: 'messages';
  count(e: Establishment): number;
  /** How many were attributed through `agent.who` and through a séjour (for the explanation). */
  counted(e: Establishment): { byAgent: number; bySejour: number };
}

export type RateRule = PersonRule | MessageRule;
