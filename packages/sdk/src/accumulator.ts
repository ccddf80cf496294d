import {
  CONTRIBUTION,
  ContributionLog,
  type ContributionLogState,
  type ContributionOp,
} from './contributions.js';
import type { Fact, OrganisationFact, PatientFact, ProblemFact } from './facts.js';
import type { ResolvedOptions } from './options.js';
import {
  RecordVersions,
  UNIQUE_OCCURRENCE,
  type DuplicateRecord,
  type RecordVersionsState,
} from './resolve/record-versions.js';
import { sejourCandidate, type SejourCandidate } from './rules/accompanied.js';
import { addEventByPartOf, countEvent, mergeEvents } from './rules/agenda-event.js';
import { addDmpFeedByAgent, mergeDmpFeeds } from './rules/dmp.js';
import {
  addProjetPersonnalise,
  addProjetPersonnaliseOnHold,
  addProjetPersonnaliseOther,
  countProjetPersonnalise,
  mergeProjetsPersonnalises,
} from './rules/projet-personnalise.js';
import { countUpdate } from './rules/updated.js';
import {
  countAtOrganisation,
  countUsage,
  MAX_RECORDS_NAMED_PER_ORGANISATION,
  type PendingUsage,
} from './rules/usage-event.js';
import type { PeriodGrid } from './vocabulary/period.js';
import { comparableMs, parseFhirTime } from './vocabulary/time.js';
import { countPerZone, NO_ZONES, union, type ZoneSet } from './vocabulary/zone-set.js';

/**
 * The streaming half of the engine, in the manner of a streaming aggregator (arquero's aggregate
 * functions: `init` / `add` / `value` per operation): `Accumulator.add` is the one dispatcher that hands
 * each fact to the rule that counts it (rules/*.ts, their `count…` functions). Records a rule keeps whole
 * (Organizations, Patients, séjours) are kept as facts; what the other records contribute (the zones where
 * an update, an event or a projet personnalisé falls in P, a usage event at an organisation) is logged per
 * record (contributions.ts) and applied by `settle` once everything is read, for the version of each
 * `Type/id` that is used only (resolve/record-versions.ts). Memory grows with persons and establishments,
 * and by a few dozen bytes per record. Times are counted as `ZoneSet`s (vocabulary/zone-set.ts says why).
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
  /** The occurrence of each of `pendingRecords` (resolve/record-versions.ts). */
  pendingOccurrences: number[] | null = null;

  constructor(
    /** Its position in `Accumulator.personList` (what the contribution log refers to). */
    readonly index: number,
  ) {}
}

/**
 * Merges the state of one person reference into another, each rule its own fields: zones are OR-ed, lists
 * concatenated. Used, at the end, for every key that reaches the same person.
 */
export function mergePersonState(into: PersonState, from: PersonState): void {
  into.updated = union(into.updated, from.updated);
  mergeEvents(into, from);
  mergeProjetsPersonnalises(into, from);
  mergeDmpFeeds(into, from);
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
  records: string[] = [];
  /** The occurrence of each of `records`. */
  recordOccurrences: number[] = [];
  total = 0;

  constructor(zones: number, months: number) {
    this.mssante = new Array<number>(zones).fill(0);
    this.eParcours = new Array<number>(zones).fill(0);
    this.eParcoursSinceStart = new Array<number>(zones).fill(0);
    this.ePrescriptions = new Array<number>(zones * months).fill(0);
  }
}

/** An agenda event with no subject of its own: the zones where it starts in P, and the séjour it is part of. */
export interface EventWithoutSubject {
  record: string;
  partOf: string;
  zones: ZoneSet;
  occurrence: number;
}

export class Accumulator {
  readonly persons = new Map<string, PersonState>();
  /** Every person state, by index. */
  readonly personList: PersonState[] = [];
  readonly patients = new Map<string, PatientFact>();
  /** The occurrence each of `patients` was read in. */
  readonly patientOccurrences = new Map<string, number>();
  organisations: OrganisationFact[] = [];
  organisationOccurrences: number[] = [];
  sejours: SejourCandidate[] = [];
  pendingUsage: PendingUsage[] = [];
  readonly orgCounters = new Map<string, OrgCounters>();
  /** Problems found while reading (invalid records, unreadable or incomplete input): always reported. */
  readonly problems: ProblemFact[] = [];
  /** Problems of a record found while counting it: reported only for the version of its Type/id used. */
  private recordProblems: { problem: ProblemFact; occurrence: number }[] = [];
  /** rules/agenda-event.ts: events without a subject of their own, given to their partOf séjour's person at the end. */
  eventsWithoutSubject: EventWithoutSubject[] = [];
  /**
   * Keys of Patient records read by another engine (the main thread, before worker threads start): records
   * referring to them need not be remembered for an `unknown-subject` report.
   */
  readonly knownPersonKeys = new Set<string>();
  /** rules/updated.ts, per zone: records about persons last updated after the end of P. */
  readonly updatedAfterPeriod: number[];
  /** Usable time values outside FHIR's grammar: `field|deviations` → count. */
  readonly timeForms = new Map<string, number>();
  /** Those of records with a Type/id: counted by `settle` only for the version used (one record, once). */
  private recordTimeForms: { key: string; count: number; occurrence: number }[] = [];
  /** resolve/record-versions.ts: which version of each Type/id is used. */
  readonly versions = new RecordVersions();
  /** What records contribute, applied by `settle`. */
  readonly log = new ContributionLog();
  /** Strings the log refers to (partOf targets, organisation keys), each once. */
  private readonly strings: string[] = [];
  private readonly stringIndex = new Map<string, number>();
  /** The occurrence the facts being added belong to (the last `record` fact). */
  current = UNIQUE_OCCURRENCE;
  /** Where the engine's caller placed the record being read (`RecordLocation.order`); 0 when it does not say. */
  order = 0;
  /** Set by `settle`: the Type/ids read more than once. */
  duplicates: DuplicateRecord[] = [];
  private settled = false;

  constructor(
    readonly grid: PeriodGrid,
    readonly options: ResolvedOptions,
  ) {
    this.updatedAfterPeriod = new Array<number>(grid.timezones.length).fill(0);
  }

  /** The dispatcher: one fact to the rule that counts it. */
  add(fact: Fact): void {
    switch (fact.k) {
      case 'record':
        this.current =
          fact.id === null
            ? UNIQUE_OCCURRENCE
            : this.versions.add(fact.resourceType, fact.id, this.lastUpdatedMs(fact.lastUpdated), this.order);
        return;
      case 'organisation':
        this.organisations.push(fact);
        this.organisationOccurrences.push(this.current);
        return;
      case 'patient':
        // The version of a Type/id used so far; a later one that supersedes it replaces it.
        if (!this.versions.isUsed(this.current)) return;
        this.patients.set(fact.key, fact);
        this.patientOccurrences.set(fact.key, this.current);
        return;
      case 'sejour':
        this.sejours.push(sejourCandidate(fact, this.current));
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
      case 'time-form': {
        const key = `${fact.field}|${fact.deviations}`;
        if (this.current === UNIQUE_OCCURRENCE)
          this.timeForms.set(key, (this.timeForms.get(key) ?? 0) + fact.count);
        else this.recordTimeForms.push({ key, count: fact.count, occurrence: this.current });
        return;
      }
    }
  }

  /**
   * `parseFhirTime(text, 'start')`, remembering the last value: a record's `meta.lastUpdated` is read for
   * its version (the `record` fact), then again as its update, and parsing runs for every record.
   */
  parseStart(text: string): number {
    if (text !== this.lastParsedText) {
      this.lastParsedText = text;
      this.lastParsedValue = parseFhirTime(text, 'start');
    }
    return this.lastParsedValue;
  }
  private lastParsedText = '';
  private lastParsedValue = Number.NaN;

  /** A record's `meta.lastUpdated` as a number that orders versions (absent or unreadable: oldest). */
  private lastUpdatedMs(text: string | null): number {
    if (text === null) return Number.NEGATIVE_INFINITY;
    const value = this.parseStart(text);
    return Number.isNaN(value) ? Number.NEGATIVE_INFINITY : comparableMs(value);
  }

  /** The state of a person reference, remembering the record when the Patient has not been read yet. */
  person(key: string, record: string): PersonState {
    const state = this.stateOf(key);
    if (!this.patients.has(key) && !this.knownPersonKeys.has(key)) {
      (state.pendingRecords ??= []).push(record);
      (state.pendingOccurrences ??= []).push(this.current);
    }
    return state;
  }

  /** A problem of the record being counted (reported only if its version is the one used). */
  recordProblem(problem: ProblemFact): void {
    this.recordProblems.push({ problem, occurrence: this.current });
  }

  /** Logs what the record being counted contributes (see contributions.ts). */
  contribute(
    op: (typeof CONTRIBUTION)[keyof typeof CONTRIBUTION],
    target: number,
    zones: ZoneSet,
    ref = 0,
    at = 0,
  ): void {
    this.log.push(this.current, op, target, zones, ref, at);
  }

  /** The index of a string the log refers to. */
  intern(text: string): number {
    let index = this.stringIndex.get(text);
    if (index === undefined) {
      index = this.strings.length;
      this.strings.push(text);
      this.stringIndex.set(text, index);
    }
    return index;
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
   * Once everything is read: applies what the used version of every record contributes, and drops what the
   * others left (their kept facts, their problems, their pending references). Once.
   */
  settle(): void {
    if (this.settled) return;
    this.settled = true;
    const used = (occurrence: number): boolean => this.versions.isUsed(occurrence);
    // The log, read with local views of its arrays: one pass, nothing allocated for most entries.
    const superseded = this.versions.supersededFlags();
    const { occurrences, ops, targets, refs, at } = this.log;
    const zonesOf = this.log.zones;
    const persons = this.personList;
    const all = this.grid.allZones;
    for (let i = 0, n = this.log.length; i < n; i++) {
      const occurrence = occurrences[i]!;
      if (occurrence >= 0 && superseded[occurrence] !== 0) continue;
      const zones = zonesOf[i]! as ZoneSet;
      const target = targets[i]!;
      switch (ops[i] as ContributionOp) {
        case CONTRIBUTION.updated:
          persons[target]!.updated = union(persons[target]!.updated, zones);
          break;
        case CONTRIBUTION.event:
          persons[target]!.event = union(persons[target]!.event, zones);
          break;
        case CONTRIBUTION.eventByPartOf:
          addEventByPartOf(persons[target]!, this.strings[refs[i]!]!, zones);
          break;
        case CONTRIBUTION.projetPersonnalise:
          addProjetPersonnalise(persons[target]!, zones, all);
          break;
        case CONTRIBUTION.projetPersonnaliseOnHold:
          addProjetPersonnaliseOnHold(persons[target]!, zones);
          break;
        case CONTRIBUTION.projetPersonnaliseOther:
          addProjetPersonnaliseOther(persons[target]!);
          break;
        case CONTRIBUTION.dmpByAgent:
          addDmpFeedByAgent(persons[target]!, this.strings[refs[i]!]!, zones);
          break;
        case CONTRIBUTION.updatedAfterPeriod:
          countPerZone(this.updatedAfterPeriod, zones);
          break;
        case CONTRIBUTION.usageAtOrganisation: {
          const counters = this.countersOf(this.strings[target]!);
          counters.total++;
          countAtOrganisation(this.grid, counters, refs[i]!, at[i]!);
          break;
        }
      }
    }
    const organisations: OrganisationFact[] = [];
    this.organisations.forEach((o, i) => {
      if (used(this.organisationOccurrences[i]!)) organisations.push(o);
    });
    this.organisations = organisations;
    this.sejours = this.sejours.filter((s) => used(s.occurrence));
    this.pendingUsage = this.pendingUsage.filter((u) => used(u.occurrence));
    this.eventsWithoutSubject = this.eventsWithoutSubject.filter((e) => used(e.occurrence));
    for (const { problem, occurrence } of this.recordProblems)
      if (used(occurrence)) this.problems.push(problem);
    this.recordProblems = [];
    for (const { key, count, occurrence } of this.recordTimeForms)
      if (used(occurrence)) this.timeForms.set(key, (this.timeForms.get(key) ?? 0) + count);
    this.recordTimeForms = [];
    for (const counters of this.orgCounters.values()) {
      const records: string[] = [];
      counters.records.forEach((record, i) => {
        if (used(counters.recordOccurrences[i]!)) records.push(record);
      });
      counters.records = records;
    }
    for (const state of this.personList) {
      if (state.pendingRecords === null) continue;
      const occurrences = state.pendingOccurrences ?? [];
      state.pendingRecords = state.pendingRecords.filter((_, i) => used(occurrences[i] ?? UNIQUE_OCCURRENCE));
      state.pendingOccurrences = null;
    }
    this.duplicates = this.versions.duplicates();
    // Nothing after this reads the versions or the log: their memory is given back before finalize.
    this.versions.release();
    this.log.release();
  }

  /**
   * Everything read so far, as plain data (structured-clone friendly): a worker thread counts its share of
   * the input and hands this to the main thread, which merges it (`mergeState`). The result does not depend
   * on how the input was shared out: versions are decided again across the parts, contributions applied
   * once at the end, lists concatenated.
   */
  exportState(): AccumulatorState {
    return {
      // In index order: a Map iterates in insertion order, and `stateOf` inserts in both at once.
      persons: [...this.persons],
      patients: [...this.patients.values()].map((p) => [p, this.patientOccurrences.get(p.key)!]),
      organisations: this.organisations.map((o, i) => [o, this.organisationOccurrences[i]!]),
      sejours: this.sejours,
      pendingUsage: this.pendingUsage,
      orgCounters: [...this.orgCounters],
      problems: this.problems,
      recordProblems: this.recordProblems,
      recordTimeForms: this.recordTimeForms,
      eventsWithoutSubject: this.eventsWithoutSubject,
      updatedAfterPeriod: this.updatedAfterPeriod,
      timeForms: [...this.timeForms],
      versions: this.versions.exportState(),
      log: this.log.exportState(),
      strings: this.strings,
    };
  }

  mergeState(state: AccumulatorState): void {
    const base = this.versions.mergeState(state.versions);
    const occurrence = (o: number): number => (o < 0 ? o : o + base);
    const personIndex: number[] = [];
    for (const [key, other] of state.persons) {
      const mine = this.stateOf(key);
      personIndex.push(mine.index);
      if (other.pendingRecords !== null) {
        (mine.pendingRecords ??= []).push(...other.pendingRecords);
        (mine.pendingOccurrences ??= []).push(...(other.pendingOccurrences ?? []).map(occurrence));
      }
    }
    const stringIndex = state.strings.map((text) => this.intern(text));
    this.log.append(state.log, base, personIndex, stringIndex);
    for (const [patient, o] of state.patients) {
      if (!this.versions.isUsed(occurrence(o))) continue;
      this.patients.set(patient.key, patient);
      this.patientOccurrences.set(patient.key, occurrence(o));
    }
    for (const [organisation, o] of state.organisations) {
      this.organisations.push(organisation);
      this.organisationOccurrences.push(occurrence(o));
    }
    for (const s of state.sejours) this.sejours.push({ ...s, occurrence: occurrence(s.occurrence) });
    for (const u of state.pendingUsage)
      this.pendingUsage.push({ ...u, occurrence: occurrence(u.occurrence) });
    for (const e of state.eventsWithoutSubject)
      this.eventsWithoutSubject.push({ ...e, occurrence: occurrence(e.occurrence) });
    for (const { problem, occurrence: o } of state.recordProblems)
      this.recordProblems.push({ problem, occurrence: occurrence(o) });
    for (const { key, count, occurrence: o } of state.recordTimeForms)
      this.recordTimeForms.push({ key, count, occurrence: occurrence(o) });
    for (const [key, other] of state.orgCounters) {
      const counters = this.countersOf(key);
      other.records.forEach((record, i) => {
        if (counters.records.length >= MAX_RECORDS_NAMED_PER_ORGANISATION) return;
        counters.records.push(record);
        counters.recordOccurrences.push(occurrence(other.recordOccurrences[i]!));
      });
    }
    this.problems.push(...state.problems);
    addInto(this.updatedAfterPeriod, state.updatedAfterPeriod);
    for (const [key, count] of state.timeForms)
      this.timeForms.set(key, (this.timeForms.get(key) ?? 0) + count);
  }

  private stateOf(key: string): PersonState {
    let state = this.persons.get(key);
    if (state === undefined) {
      state = new PersonState(this.personList.length);
      this.persons.set(key, state);
      this.personList.push(state);
    }
    return state;
  }
}

/** The plain-data form of an accumulator (see `Accumulator.exportState`). */
export interface AccumulatorState {
  persons: [string, PersonState][];
  patients: [PatientFact, number][];
  organisations: [OrganisationFact, number][];
  sejours: SejourCandidate[];
  pendingUsage: PendingUsage[];
  orgCounters: [string, OrgCounters][];
  problems: ProblemFact[];
  recordProblems: { problem: ProblemFact; occurrence: number }[];
  recordTimeForms: { key: string; count: number; occurrence: number }[];
  eventsWithoutSubject: EventWithoutSubject[];
  updatedAfterPeriod: number[];
  timeForms: [string, number][];
  versions: RecordVersionsState;
  log: ContributionLogState;
  strings: string[];
}

function addInto(target: number[], source: readonly number[]): void {
  for (let i = 0; i < source.length; i++) target[i] = (target[i] ?? 0) + source[i]!;
}
