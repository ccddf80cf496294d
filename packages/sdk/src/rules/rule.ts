import type { Accumulator, OrgCounters, PersonState } from '../accumulator.js';
import type { ExclusionReason } from '../explain.js';
import type { ProblemFact } from '../facts.js';
import type { Establishment } from '../resolve/establishments.js';
import type { Person } from '../resolve/persons.js';
import type { PeriodGrid } from '../vocabulary/period.js';
import type { ZoneSet } from '../vocabulary/zone-set.js';

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

/**
 * What the rule of one usage-event kind (mssante.ts, dmp.ts, e-prescriptions.ts, e-parcours.ts) does with
 * an event of its kind: the `add` steps of the aggregate. The steps every usage event shares (outcome
 * success, a readable instant, which organisation `agent.who` names) are rules/usage-event.ts; which ESSMS
 * an event is attributed to is resolve/attribution.ts. Each step below is the rule's own arithmetic.
 */
export interface UsageRule {
  /** Whether an instant before every zone's P may still count (the window it counts in starts earlier). */
  mayCountBeforePeriod(grid: PeriodGrid, at: number): boolean;
  /**
   * One event whose `agent.who` names an organisation key, into that key's counters in zone `zone`
   * (`inPeriod`: the zones whose P contains it). Logged while streaming, applied by `Accumulator.settle`
   * for the version of the record used; which zone is the ESSMS's is known only at the end.
   */
  countAtOrganisation(
    grid: PeriodGrid,
    counters: OrgCounters,
    zone: number,
    at: number,
    inPeriod: ZoneSet,
  ): void;
  /** Once attributed: what organisation key `counters` counted, added to its ESSMS `e` (in `e`'s zone). */
  addNamed(grid: PeriodGrid, e: Establishment, counters: OrgCounters): void;
  /**
   * Once attributed: one event counted at ESSMS `e`, through an untyped or ambiguous `agent.who`
   * (`byAgent`) or through the person's séjour. `person`: the person it is about, if known.
   */
  countAttributed(
    grid: PeriodGrid,
    e: Establishment,
    person: Person | null,
    at: number,
    byAgent: boolean,
  ): void;
  /** A rule that counts persons (DMP), not events: what it does that the others do not. */
  perPerson?: PerPersonUsage;
}

/** The steps of a usage rule whose numerator counts persons (rules/dmp.ts). */
export interface PerPersonUsage {
  /** The error of an event about no person (`entity.what`): it counts nowhere. */
  withoutPerson(record: string): ProblemFact;
  /** Streaming: an event of person `state` whose `agent.who` names organisation key `org`. */
  countNamedByAgent(acc: Accumulator, state: PersonState, org: string, at: number): void;
  /** Once read: the events of `person` named by `agent.who`, at the ESSMS they name (if reported). */
  addNamedOfPerson(person: Person, establishmentOf: (key: string) => Establishment | null): void;
}
