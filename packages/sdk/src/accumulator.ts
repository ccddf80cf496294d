import type { UsageEventKind } from './constants.js';
import type { EventFact, Fact, OrganisationFact, PatientFact, ProblemFact, SejourFact } from './facts.js';
import type { ResolvedOptions } from './options.js';
import {
  maskAfterPeriodEnd,
  maskBeforePeriodEnd,
  maskEndReachesPeriod,
  maskInPeriod,
  monthIndex,
  type PeriodGrid,
} from './period.js';
import { FLOATING_OFFSET_MS, isFloating, parseFhirTime } from './time.js';

/**
 * The streaming half of the engine: counts facts as they arrive into per-person state (bit masks, one bit
 * per candidate time zone) and per-establishment counters, so memory grows with persons and
 * establishments, not with records. What can only be decided once everything is read (who is the same
 * person, which Organization a reference names, whether a `partOf` target is a séjour) is resolved by
 * `finalize.ts`.
 */

/** Per person-reference state. A person may be reached through several keys; finalize merges them. */
export class PersonAcc {
  /** Zones where the dossier was updated in P. */
  updated = 0;
  /** Zones where an agenda event starts in P. */
  event = 0;
  /** Zones where a projet personnalisé is current (draft/active, not ended before P, created before its end). */
  pp = 0;
  /** Zones where the only would-be projet personnalisé is on hold. */
  ppOnHold = 0;
  /** A projet personnalisé exists but is completed, revoked or out of the period. */
  ppOther = false;
  /** Events recognised only through `partOf`: target key → zones. */
  eventByPartOf: Map<string, number> | null = null;
  /** DMP feeds attributed through `agent.who`: organisation key → zones. */
  dmpByOrg: Map<string, number> | null = null;
  /** Records that referenced this key before its Patient was read, to report them if it never is. */
  pendingRecords: string[] | null = null;
}

export interface SejourRec {
  fact: SejourFact;
  start: number;
  end: number;
}

/**
 * A usage event attributed at the end: through the person's séjours when it has no `agent.who`, or through
 * its untyped `agent.who` reference (`org`) when that turns out to name an Organization.
 */
export interface PendingUsage {
  kind: UsageEventKind;
  at: number;
  /** Never `null` when `org` is absent. */
  subject: string | null;
  record: string;
  /** An untyped `agent.who` reference (see `UsageFact.orgUntyped`). */
  org?: string;
}

/** Counters of usage events attributed through `agent.who` to one organisation key, per zone. */
export class OrgCounters {
  readonly mssante: number[];
  readonly eParcours: number[];
  readonly eParcoursSinceStart: number[];
  /** zone × month. */
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

/** How many records per unattributable organisation key are kept to be named in data quality. */
export const MAX_RECORDS_NAMED_PER_ORGANISATION = 100;

export class Accumulator {
  readonly persons = new Map<string, PersonAcc>();
  readonly patients = new Map<string, PatientFact>();
  readonly organisations: OrganisationFact[] = [];
  readonly sejours: SejourRec[] = [];
  readonly pendingUsage: PendingUsage[] = [];
  readonly orgCounters = new Map<string, OrgCounters>();
  readonly problems: ProblemFact[] = [];
  /**
   * Keys of Patient records read by another engine (the main thread, before worker threads start): records
   * referring to them need not be remembered for an `unknown-subject` report.
   */
  readonly knownPersonKeys = new Set<string>();
  /** Per zone: records about persons last updated after the end of P (retro-computation may miss them). */
  readonly updatedAfterPeriod: number[];

  constructor(
    readonly grid: PeriodGrid,
    readonly options: ResolvedOptions,
  ) {
    this.updatedAfterPeriod = new Array<number>(grid.timezones.length).fill(0);
  }

  add(fact: Fact): void {
    switch (fact.k) {
      case 'organisation':
        this.organisations.push(fact);
        return;
      case 'patient':
        this.patients.set(fact.key, fact);
        return;
      case 'sejour':
        this.sejours.push({ fact, start: parseOr(fact.start, 'start'), end: parseOr(fact.end, 'end') });
        return;
      case 'event':
        this.addEvent(fact);
        return;
      case 'projet-personnalise':
        this.addProjetPersonnalise(fact.subject, fact.record, fact.status, fact.created, fact.end);
        return;
      case 'update': {
        const at = parseFhirTime(fact.at, 'start');
        const mask = maskInPeriod(this.grid, at);
        for (const subject of fact.subjects) {
          const acc = this.person(subject, fact.record);
          acc.updated |= mask;
        }
        if (fact.via === 'last-updated') {
          const after = maskAfterPeriodEnd(this.grid, at);
          if (after !== 0)
            for (let z = 0; z < this.updatedAfterPeriod.length; z++)
              if (after & (1 << z)) this.updatedAfterPeriod[z]!++;
        }
        return;
      }
      case 'usage':
        this.addUsage(fact.kind, fact.at, fact.success, fact.subject, fact.org, fact.record, fact.orgUntyped);
        return;
      case 'problem':
        this.problems.push(fact);
        return;
    }
  }

  /**
   * Everything counted so far, as plain data (structured-clone friendly): a worker thread counts its share
   * of the input and hands this to the main thread, which merges it (`mergeState`). The result does not
   * depend on how the input was shared out: masks are OR-ed, counters added, lists concatenated.
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
      updatedAfterPeriod: this.updatedAfterPeriod,
    };
  }

  mergeState(state: AccumulatorState): void {
    for (const [key, other] of state.persons) {
      const acc = this.persons.get(key);
      if (acc === undefined) {
        this.persons.set(key, Object.assign(new PersonAcc(), other));
        continue;
      }
      acc.updated |= other.updated;
      acc.event |= other.event;
      acc.pp |= other.pp;
      acc.ppOnHold |= other.ppOnHold;
      acc.ppOther ||= other.ppOther;
      acc.eventByPartOf = mergeMasks(acc.eventByPartOf, other.eventByPartOf);
      acc.dmpByOrg = mergeMasks(acc.dmpByOrg, other.dmpByOrg);
      if (other.pendingRecords) (acc.pendingRecords ??= []).push(...other.pendingRecords);
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
      addInto(counters.mssante, other.mssante);
      addInto(counters.eParcours, other.eParcours);
      addInto(counters.eParcoursSinceStart, other.eParcoursSinceStart);
      addInto(counters.ePrescriptions, other.ePrescriptions);
      counters.total += other.total;
      for (const record of other.records) {
        if (counters.records.length >= MAX_RECORDS_NAMED_PER_ORGANISATION) break;
        counters.records.push(record);
      }
    }
    this.problems.push(...state.problems);
    addInto(this.updatedAfterPeriod, state.updatedAfterPeriod);
  }

  /** The state of a person reference, remembering the record when the Patient has not been read yet. */
  person(key: string, record: string): PersonAcc {
    let acc = this.persons.get(key);
    if (acc === undefined) {
      acc = new PersonAcc();
      this.persons.set(key, acc);
    }
    if (!this.patients.has(key) && !this.knownPersonKeys.has(key)) (acc.pendingRecords ??= []).push(record);
    return acc;
  }

  /** Whether an event with this status is an entry of the agenda (indicators.md, `countCancelledEvents`). */
  eventStatusCounts(status: string | null): boolean {
    if (status === 'entered-in-error') return false;
    return status !== 'cancelled' || this.options.countCancelledEvents;
  }

  private addEvent(fact: EventFact): void {
    if (fact.subject === null) {
      this.problems.push(missingSubject(fact.record, 'agenda event without a person (subject/participant)'));
      return;
    }
    const acc = this.person(fact.subject, fact.record);
    if (!this.eventStatusCounts(fact.status) || fact.start === null) return;
    const mask = maskInPeriod(this.grid, parseFhirTime(fact.start, 'start'));
    if (fact.partOf === null) {
      acc.event |= mask;
    } else if (mask !== 0) {
      const byPartOf = (acc.eventByPartOf ??= new Map());
      byPartOf.set(fact.partOf, (byPartOf.get(fact.partOf) ?? 0) | mask);
    }
  }

  private addProjetPersonnalise(
    subject: string | null,
    record: string,
    status: string | null,
    created: string | null,
    end: string | null,
  ): void {
    if (subject === null) {
      this.problems.push(missingSubject(record, 'projet personnalisé without a subject'));
      return;
    }
    const acc = this.person(subject, record);
    if (status === 'entered-in-error') return;
    const endMask =
      end === null ? this.grid.allMask : maskEndReachesPeriod(this.grid, parseFhirTime(end, 'end'));
    const createdMask =
      created === null ? this.grid.allMask : maskBeforePeriodEnd(this.grid, parseFhirTime(created, 'start'));
    const current = endMask & createdMask;
    if (status === 'draft' || status === 'active') {
      acc.pp |= current;
      if (current !== this.grid.allMask) acc.ppOther = true;
    } else if (status === 'on-hold') {
      acc.ppOnHold |= current;
    } else {
      acc.ppOther = true;
    }
  }

  private addUsage(
    kind: UsageEventKind,
    atText: string | null,
    success: boolean,
    subject: string | null,
    org: string | null,
    record: string,
    orgUntyped = false,
  ): void {
    if (!success || atText === null) return;
    const at = parseFhirTime(atText, 'start');
    if (Number.isNaN(at) || !this.mayCount(kind, at)) return;
    if (org !== null && orgUntyped) {
      // Whether the reference names an Organization is known only once everything is read.
      if (kind === 'dmp-document-fed' && subject === null) {
        this.problems.push(
          missingSubject(record, 'dmp-document-fed without a person (entity.what)', 'AuditEvent'),
        );
        return;
      }
      if (subject !== null) this.person(subject, record);
      this.pendingUsage.push({ kind, at, subject, record, org });
      return;
    }
    if (org === null) {
      if (subject === null) {
        this.problems.push({
          k: 'problem',
          code: 'unattributed-event',
          resourceType: 'AuditEvent',
          id: idOf(record),
          message: `${kind} names neither an ESSMS (agent.who) nor a person (entity.what)`,
        });
        return;
      }
      this.person(subject, record);
      this.pendingUsage.push({ kind, at, subject, record });
      return;
    }
    if (kind === 'dmp-document-fed') {
      if (subject === null) {
        this.problems.push(
          missingSubject(record, 'dmp-document-fed without a person (entity.what)', 'AuditEvent'),
        );
        return;
      }
      const acc = this.person(subject, record);
      const mask = maskInPeriod(this.grid, at);
      if (mask !== 0) {
        const byOrg = (acc.dmpByOrg ??= new Map());
        byOrg.set(org, (byOrg.get(org) ?? 0) | mask);
      }
    }
    // Counted per organisation key (DMP feeds are counted per person above, but named here too so that
    // an organisation that is not a reported ESSMS gets its events reported).
    let counters = this.orgCounters.get(org);
    if (counters === undefined) {
      counters = new OrgCounters(this.grid.timezones.length, this.grid.months.length);
      this.orgCounters.set(org, counters);
    }
    counters.total++;
    if (counters.records.length < MAX_RECORDS_NAMED_PER_ORGANISATION) counters.records.push(record);
    countUsage(this.grid, counters, kind, at);
  }

  /** Usage events outside every window that could count are dropped at once. */
  private mayCount(kind: UsageEventKind, at: number): boolean {
    if (isFloating(at)) return true;
    const grid = this.grid;
    if (at >= grid.unionEndMs) return false;
    if (at >= grid.unionStartMs) return true;
    return (
      kind === 'e-parcours-exchange' &&
      grid.zones.some((z) => z.projectStart !== null && at >= z.projectStart)
    );
  }
}

/** Adds one usage event to an organisation's counters, for every zone whose windows contain it. */
export function countUsage(
  grid: PeriodGrid,
  counters: OrgCounters,
  kind: UsageEventKind,
  at: number,
  onlyZone = -1,
): void {
  const inP = maskInPeriod(grid, at);
  for (let z = 0; z < grid.timezones.length; z++) {
    if (onlyZone >= 0 && z !== onlyZone) continue;
    const bit = 1 << z;
    switch (kind) {
      case 'mssante-message-sent':
        if (inP & bit) counters.mssante[z]!++;
        break;
      case 'e-parcours-exchange': {
        if (inP & bit) counters.eParcours[z]!++;
        const zone = grid.zones[z]!;
        const start = isFloating(at) ? grid.wall.projectStart : zone.projectStart;
        const end = isFloating(at) ? grid.wall.end : zone.end;
        const v = isFloating(at) ? at - FLOATING_OFFSET_MS : at;
        if (start !== null && v >= start && v < end) counters.eParcoursSinceStart[z]!++;
        break;
      }
      case 'e-prescription-imported': {
        const m = monthIndex(grid, z, at);
        if (m >= 0) counters.ePrescriptions[z * grid.months.length + m]!++;
        break;
      }
      case 'dmp-document-fed':
        break;
    }
  }
}

function parseOr(text: string | null, boundary: 'start' | 'end'): number {
  return text === null ? Number.NaN : parseFhirTime(text, boundary);
}

function idOf(record: string): string {
  const slash = record.indexOf('/');
  return slash >= 0 && !record.startsWith('urn:') ? record.slice(slash + 1) : record;
}

function typeOf(record: string): string {
  const slash = record.indexOf('/');
  return slash > 0 && !record.startsWith('urn:') ? record.slice(0, slash) : 'unknown';
}

function missingSubject(record: string, message: string, resourceType?: string): ProblemFact {
  return {
    k: 'problem',
    code: 'unknown-subject',
    resourceType: resourceType ?? typeOf(record),
    id: idOf(record),
    message,
  };
}

export { idOf, typeOf };

/** The plain-data form of an accumulator (see `Accumulator.exportState`). */
export interface AccumulatorState {
  persons: [string, PersonAcc][];
  patients: PatientFact[];
  organisations: OrganisationFact[];
  sejours: SejourRec[];
  pendingUsage: PendingUsage[];
  orgCounters: [string, OrgCounters][];
  problems: ProblemFact[];
  updatedAfterPeriod: number[];
}

function mergeMasks(
  a: Map<string, number> | null,
  b: Map<string, number> | null,
): Map<string, number> | null {
  if (b === null) return a;
  const out = a ?? new Map<string, number>();
  for (const [key, mask] of b) out.set(key, (out.get(key) ?? 0) | mask);
  return out;
}

function addInto(target: number[], source: readonly number[]): void {
  for (let i = 0; i < source.length; i++) target[i] = (target[i] ?? 0) + source[i]!;
}
