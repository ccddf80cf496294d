import type { Fact, OrganisationFact, PatientFact, ProblemFact } from './facts.js';
import type { ResolvedOptions } from './options.js';
import { sejourCandidate, type SejourCandidate } from './rules/accompanied.js';
import { countEvent } from './rules/agenda-event.js';
import { countProjetPersonnalise } from './rules/projet-personnalise.js';
import { countUpdate } from './rules/updated.js';
import { countUsage, MAX_RECORDS_NAMED_PER_ORGANISATION, type PendingUsage } from './rules/usage-event.js';
import type { PeriodGrid } from './vocabulary/period.js';
import { NO_ZONES, union, type ZoneSet } from './vocabulary/zone-set.js';

/**
 * The streaming half of the engine, in the manner of a streaming aggregator (arquero's aggregate
 * functions: `init` / `add` / `value` per operation): `Accumulator.add` is the one dispatcher that hands
 * each fact to the rule that counts it (rules/*.ts, their `count…` functions), and every rule counts into
 * the same two structs: `PersonState`, one per person reference, and `OrgCounters`, one per organisation
 * named by a usage event. Nothing is allocated per record beyond those, so memory grows with persons and
 * establishments, not with records. Times are counted as `ZoneSet`s (vocabulary/zone-set.ts says why).
 * What can only be decided once everything is read (who is the same person, which Organization a reference
 * names, whether a `partOf` target is a séjour) is resolved by `finalize.ts`.
 */

/** The state of one person reference. A person may be reached through several keys; finalize merges them. */
export class PersonState {
  /** rules/updated.ts: zones where the dossier was updated in P. */
  updated: ZoneSet = NO_ZONES;
  /** rules/agenda-event.ts: zones where an agenda event starts in P. */
  event: ZoneSet = NO_ZONES;
  /** rules/projet-personnalise.ts: zones where a projet personnalisé is current. */
  pp: ZoneSet = NO_ZONES;
  /** rules/projet-personnalise.ts: zones where the only would-be projet personnalisé is on hold. */
  ppOnHold: ZoneSet = NO_ZONES;
  /** rules/projet-personnalise.ts: a projet personnalisé exists but is completed, revoked or out of P. */
  ppOther = false;
  /** rules/agenda-event.ts: events recognised only through `partOf`: target key → zones. */
  eventByPartOf: Map<string, ZoneSet> | null = null;
  /** rules/dmp.ts: DMP feeds attributed through `agent.who`: organisation key → zones. */
  dmpByOrg: Map<string, ZoneSet> | null = null;
  /** Records that referenced this key before its Patient was read, to report them if it never is. */
  pendingRecords: string[] | null = null;
}

/**
 * Merges the state of one person reference into another: zones are OR-ed, lists concatenated. Used for the
 * partial states of worker threads and, at the end, for every key that reaches the same person.
 */
export function mergePersonState(into: PersonState, from: PersonState): void {
  into.updated = union(into.updated, from.updated);
  into.event = union(into.event, from.event);
  into.pp = union(into.pp, from.pp);
  into.ppOnHold = union(into.ppOnHold, from.ppOnHold);
  into.ppOther ||= from.ppOther;
  into.eventByPartOf = mergeZoneMaps(into.eventByPartOf, from.eventByPartOf);
  into.dmpByOrg = mergeZoneMaps(into.dmpByOrg, from.dmpByOrg);
  if (from.pendingRecords) (into.pendingRecords ??= []).push(...from.pendingRecords);
}

/** Counters of usage events attributed to one organisation key, one slot per zone of the grid. */
export class OrgCounters {
  /** rules/mssante.ts: messages sent in P. */
  readonly mssante: number[];
  /** rules/e-parcours.ts: exchanges in P, and since the project start. */
  readonly eParcours: number[];
  readonly eParcoursSinceStart: number[];
  /** rules/e-prescriptions.ts: zone × month. */
  readonly ePrescriptions: number[];
  /** Some of the records counted here, to report them if the key is not a reported ESSMS. */
  readonly records: string[] = [];
  total = 0;

  constructor(zones: number, months: number) {
    this.mssante = new Array<number>(zones).fill(0);
    this.eParcours = new Array<number>(zones).fill(0);
    this.eParcoursSinceStart = new Array<number>(zones).fill(0);
    this.ePrescriptions = new Array<number>(zones * months).fill(0);
  }
}

export class Accumulator {
  readonly persons = new Map<string, PersonState>();
  readonly patients = new Map<string, PatientFact>();
  readonly organisations: OrganisationFact[] = [];
  readonly sejours: SejourCandidate[] = [];
  readonly pendingUsage: PendingUsage[] = [];
  readonly orgCounters = new Map<string, OrgCounters>();
  readonly problems: ProblemFact[] = [];
  /** rules/agenda-event.ts: events without a subject of their own, given to their partOf séjour's person at the end. */
  readonly eventsWithoutSubject: EventWithoutSubject[] = [];
  /**
   * Keys of Patient records read by another engine (the main thread, before worker threads start): records
   * referring to them need not be remembered for an `unknown-subject` report.
   */
  readonly knownPersonKeys = new Set<string>();
  /** rules/updated.ts, per zone: records about persons last updated after the end of P. */
  readonly updatedAfterPeriod: number[];

  constructor(
    readonly grid: PeriodGrid,
    readonly options: ResolvedOptions,
  ) {
    this.updatedAfterPeriod = new Array<number>(grid.timezones.length).fill(0);
  }

  /** The dispatcher: one fact to the rule that counts it. */
  add(fact: Fact): void {
    switch (fact.k) {
      case 'organisation':
        this.organisations.push(fact);
        return;
      case 'patient':
        this.patients.set(fact.key, fact);
        return;
      case 'sejour':
        this.sejours.push(sejourCandidate(fact));
        return;
      case 'event':
        countEvent(this, fact);
        return;
      case 'projet-personnalise':
        countProjetPersonnalise(this, fact);
        return;
      case 'update':
        countUpdate(this, fact);
        return;
      case 'usage':
        countUsage(this, fact);
        return;
      case 'problem':
        this.problems.push(fact);
        return;
    }
  }

  /** The state of a person reference, remembering the record when the Patient has not been read yet. */
  person(key: string, record: string): PersonState {
    let state = this.persons.get(key);
    if (state === undefined) {
      state = new PersonState();
      this.persons.set(key, state);
    }
    if (!this.patients.has(key) && !this.knownPersonKeys.has(key)) (state.pendingRecords ??= []).push(record);
    return state;
  }

  /** The counters of an organisation key named by a usage event. */
  countersOf(org: string): OrgCounters {
    let counters = this.orgCounters.get(org);
    if (counters === undefined) {
      counters = new OrgCounters(this.grid.timezones.length, this.grid.months.length);
      this.orgCounters.set(org, counters);
    }
    return counters;
  }

  /**
   * Everything counted so far, as plain data (structured-clone friendly): a worker thread counts its share
   * of the input and hands this to the main thread, which merges it (`mergeState`). The result does not
   * depend on how the input was shared out: zones are OR-ed, counters added, lists concatenated.
   */
  exportState(): AccumulatorState {
    return {
      persons: [...this.persons],
      patients: [...this.patients.values()],
      organisations: this.organisations,
      sejours: this.sejours,
      pendingUsage: this.pendingUsage,
      orgCounters: [...this.orgCounters],
      problems: this.problems,
      eventsWithoutSubject: this.eventsWithoutSubject,
      updatedAfterPeriod: this.updatedAfterPeriod,
    };
  }

  mergeState(state: AccumulatorState): void {
    for (const [key, other] of state.persons) {
      const mine = this.persons.get(key);
      if (mine === undefined) this.persons.set(key, Object.assign(new PersonState(), other));
      else mergePersonState(mine, other);
    }
    for (const patient of state.patients) this.patients.set(patient.key, patient);
    this.organisations.push(...state.organisations);
    this.sejours.push(...state.sejours);
    this.pendingUsage.push(...state.pendingUsage);
    for (const [key, other] of state.orgCounters) {
      const counters = this.orgCounters.get(key);
      if (counters === undefined) {
        this.orgCounters.set(key, Object.assign(new OrgCounters(0, 0), other));
        continue;
      }
      addCounters(counters, other);
      for (const record of other.records) {
        if (counters.records.length >= MAX_RECORDS_NAMED_PER_ORGANISATION) break;
        counters.records.push(record);
      }
    }
    this.problems.push(...state.problems);
    this.eventsWithoutSubject.push(...state.eventsWithoutSubject);
    addInto(this.updatedAfterPeriod, state.updatedAfterPeriod);
  }
}

/** The plain-data form of an accumulator (see `Accumulator.exportState`). */
export interface AccumulatorState {
  persons: [string, PersonState][];
  patients: PatientFact[];
  organisations: OrganisationFact[];
  sejours: SejourCandidate[];
  pendingUsage: PendingUsage[];
  orgCounters: [string, OrgCounters][];
  problems: ProblemFact[];
  eventsWithoutSubject: EventWithoutSubject[];
  updatedAfterPeriod: number[];
}

/** An agenda event with no subject of its own: the zones where it starts in P, and the séjour it is part of. */
export interface EventWithoutSubject {
  record: string;
  partOf: string;
  zones: ZoneSet;
}

/** Adds every counter of `from` into `into` (same grid). */
function addCounters(into: OrgCounters, from: OrgCounters): void {
  addInto(into.mssante, from.mssante);
  addInto(into.eParcours, from.eParcours);
  addInto(into.eParcoursSinceStart, from.eParcoursSinceStart);
  addInto(into.ePrescriptions, from.ePrescriptions);
  into.total += from.total;
}

function mergeZoneMaps(
  a: Map<string, ZoneSet> | null,
  b: Map<string, ZoneSet> | null,
): Map<string, ZoneSet> | null {
  if (b === null) return a;
  const out = a ?? new Map<string, ZoneSet>();
  for (const [key, zones] of b) out.set(key, union(out.get(key) ?? NO_ZONES, zones));
  return out;
}

function addInto(target: number[], source: readonly number[]): void {
  for (let i = 0; i < source.length; i++) target[i] = (target[i] ?? 0) + source[i]!;
}
