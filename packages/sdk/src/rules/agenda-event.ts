/**
 * indicators.md "The five mandatory indicators" → `taux-evenement-agenda`, and its "Agenda event" rule:
 * an active dossier counts when the person has an event whose start is in P, with status other than
 * `entered-in-error`. Decision `countCancelledEvents` (default `true`): a cancelled event was still an
 * entry in the agenda. An event is about the person, wherever it was recorded: a person accompanied by two
 * ESSMS who has an event in P counts as having one in both.
 *
 * What an event is (data-model.md): an Encounter with the TDDUI event profile or identifier system, or one
 * whose `partOf` is a séjour (known only once everything is read: counted per `partOf` target meanwhile),
 * or an Appointment whose participant is the person. Start = `period.start` (Appointment: `start`). An
 * event without a `subject` of its own whose `partOf` is a séjour is the séjour's person's event
 * (data-model.md); without either, it is `unknown-subject`.
 */
import type { Accumulator, PersonState } from '../accumulator.js';
import { missingSubject, type Findings } from '../data-quality.js';
import type { EmitFact, EventFact } from '../facts.js';
import type { ResolvedOptions } from '../options.js';
import { field, str, type Json } from '../read/fhir-json.js';
import { idOf, patientReference, referenceKey, typeOf } from '../read/references.js';
import type { Person } from '../resolve/persons.js';
import type { Sejours } from '../resolve/sejours.js';
import { zonesInPeriod } from '../vocabulary/period.js';
import { parseFhirTime } from '../vocabulary/time.js';
import { hasZone, mergeZoneMaps, NO_ZONES, union, unionAtKey, type ZoneSet } from '../vocabulary/zone-set.js';
import { CONTRIBUTION } from '../contributions.js';
import type { SejourCandidate } from './accompanied.js';
import type { PersonRule } from './rule.js';

// ---- Recognition and extraction (which Encounters are events: `encounterKind` in accompanied.ts) ------

/**
 * An Encounter recognised as an event. `partOf` is kept when only a séjour `partOf` makes it one, and when
 * the event has no subject of its own (the séjour it is part of then says whose event it is).
 */
export function encounterEventFact(resource: Json, key: string, partOf: string | null): EventFact {
  const subject = patientReference(resource.subject);
  return {
    k: 'event',
    record: key,
    resourceType: 'Encounter',
    subject,
    status: str(resource.status),
    start: str(field(resource.period, 'start')),
    partOf: partOf ?? (subject === null ? referenceKey(resource.partOf) : null),
  };
}

/** One event per participant of an Appointment who may be a person. */
export function extractAppointmentEvents(resource: Json, key: string, emit: EmitFact): void {
  const start = str(resource.start);
  for (const participant of resource.participant as { actor?: unknown }[]) {
    const subject = patientReference(participant.actor);
    if (subject === null) continue;
    emit({
      k: 'event',
      record: key,
      resourceType: 'Appointment',
      subject,
      status: str(resource.status),
      start,
      partOf: null,
    });
  }
}

// ---- Streaming ---------------------------------------------------------------------------------------

/** Whether an event with this status is an entry of the agenda (`countCancelledEvents`). */
function eventStatusCounts(status: string | null, options: ResolvedOptions): boolean {
  if (status === 'entered-in-error') return false;
  return status !== 'cancelled' || options.countCancelledEvents;
}

/** Counts one event: the zones where it starts in P, per `partOf` target when that decides. */
export function countEvent(acc: Accumulator, fact: EventFact): void {
  if (fact.subject === null) {
    if (fact.partOf === null) {
      acc.recordProblem(missingSubject(fact.record, 'agenda event without a person (subject/participant)'));
      return;
    }
    // Whose event it is depends on its partOf séjour, known only once everything is read.
    const zones = eventStatusCounts(fact.status, acc.options)
      ? zonesInPeriod(acc.grid, fact.start === null ? Number.NaN : parseFhirTime(fact.start, 'start'))
      : NO_ZONES;
    acc.eventsWithoutSubject.push({
      record: fact.record,
      partOf: fact.partOf,
      zones,
      occurrence: acc.current,
    });
    return;
  }
  const state = acc.person(fact.subject, fact.record);
  if (!eventStatusCounts(fact.status, acc.options) || fact.start === null) return;
  const inPeriod = zonesInPeriod(acc.grid, parseFhirTime(fact.start, 'start'));
  if (inPeriod === NO_ZONES) return;
  if (fact.partOf === null) acc.contribute(CONTRIBUTION.event, state.index, inPeriod);
  else acc.contribute(CONTRIBUTION.eventByPartOf, state.index, inPeriod, acc.intern(fact.partOf));
}

/** Applies an event recognised only through `partOf` (`Accumulator.settle`): `eventByPartOf[partOf] |= zones`. */
export function addEventByPartOf(state: PersonState, partOf: string, zones: ZoneSet): void {
  state.eventByPartOf = unionAtKey(state.eventByPartOf, partOf, zones);
}

/** When several person keys turn out to be one person: their events, together. */
export function mergeEvents(into: PersonState, from: PersonState): void {
  into.event = union(into.event, from.event);
  into.eventByPartOf = mergeZoneMaps(into.eventByPartOf, from.eventByPartOf);
}

// ---- Once everything is read ------------------------------------------------------------------------

/** The person whose séjour `partOf` names, when it names a séjour that has one. */
function personOfSejour(
  partOf: string | null,
  sejours: Sejours,
  personOf: (key: string) => Person | null,
): Person | null | 'not-a-sejour' {
  const parent = partOf === null ? undefined : sejours.byAlias.get(partOf);
  if (parent === undefined || !sejours.isSejour(parent)) return 'not-a-sejour';
  return parent.fact.subject === null ? null : personOf(parent.fact.subject);
}

/**
 * A séjour candidate whose `partOf` is a séjour: it is an event of its person (its own subject, else the
 * person of the séjour it is part of).
 */
export function countDemotedEvent(
  acc: Accumulator,
  s: SejourCandidate,
  sejours: Sejours,
  personOf: (key: string) => Person | null,
  findings: Findings,
): void {
  const f = s.fact;
  const person = f.subject === null ? personOfSejour(f.partOf, sejours, personOf) : personOf(f.subject);
  if (person === null || person === 'not-a-sejour') {
    // As in placeSejour: this record's subject was never registered as pending, so report it here.
    findings.errors.push({
      code: 'unknown-subject',
      resourceType: f.resourceType,
      id: idOf(f.key),
      message:
        f.subject === null
          ? 'agenda event without a person, and the séjour it is part of has none either'
          : 'refers to a person whose Patient record is not in the input',
    });
    return;
  }
  if (f.start === null || !eventStatusCounts(f.status, acc.options)) return;
  person.state.event = union(person.state.event, zonesInPeriod(acc.grid, s.start));
}

/**
 * Events without a subject of their own are the events of their `partOf` séjour's person (data-model.md);
 * when the `partOf` is not a séjour, or the séjour has no person, they are `unknown-subject`.
 */
export function countEventsWithoutSubject(
  acc: Accumulator,
  sejours: Sejours,
  personOf: (key: string) => Person | null,
  findings: Findings,
): void {
  for (const event of acc.eventsWithoutSubject) {
    const person = personOfSejour(event.partOf, sejours, personOf);
    if (person === 'not-a-sejour' || person === null) {
      findings.errors.push({
        code: 'unknown-subject',
        resourceType: typeOf(event.record),
        id: idOf(event.record),
        message:
          person === null
            ? 'agenda event without a person, and the séjour it is part of has none either'
            : 'agenda event without a person, and its partOf is not a séjour in the input',
      });
      continue;
    }
    person.state.event = union(person.state.event, event.zones);
  }
}

/** Events recognised through `partOf` count when their target turned out to be a séjour. */
export function countEventsByPartOf(person: Person, sejours: Sejours): void {
  const byPartOf = person.state.eventByPartOf;
  if (byPartOf === null) return;
  for (const [target, zones] of byPartOf) {
    const s = sejours.byAlias.get(target);
    if (s && sejours.isSejour(s)) person.state.event = union(person.state.event, zones);
  }
}

/** The decision: an agenda event starting in P in the zone of ESSMS `e`. */
export const agendaEventRule: PersonRule = {
  kind: 'persons',
  counts: (person, e) => hasZone(person.state.event, e.zone),
  reason: () => 'no-event-in-period',
};
