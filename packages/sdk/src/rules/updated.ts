/**
 * indicators.md "The five mandatory indicators" → `taux-dossiers-actifs`, and its "Updated" rule: the
 * dossier of a person accompanied in P is *active* when a record about the person was created, updated or
 * deleted during P: the `meta.lastUpdated` of the Patient or of any resource whose subject, patient or
 * participant is the person, or an `AuditEvent` (action C, U or D, outcome success) whose entity is the
 * person, recorded in P. Reads do not count. Active dossiers are also the denominator of the projet
 * personnalisé and agenda rates, and `dossiersActifs` ("nombre de DUI actifs").
 *
 * `history-missing`: without the history as AuditEvents, a record updated in P and again after D shows
 * only its last `meta.lastUpdated`; when records about persons were last updated after the end of P, one
 * warning says how many.
 */
import type { Accumulator } from '../accumulator.js';
import type { Findings } from '../data-quality.js';
import type { EmitFact, UpdateFact } from '../facts.js';
import { field, str, type Json } from '../read/fhir-json.js';
import { patientReference } from '../read/references.js';
import type { Establishment } from '../resolve/establishments.js';
import { zonesAfterPeriodEnd, zonesInPeriod } from '../vocabulary/period.js';
import { hasZone, NO_ZONES } from '../vocabulary/zone-set.js';
import { CONTRIBUTION } from '../contributions.js';
import type { PersonRule } from './rule.js';

// ---- Streaming: what the rule reads from each record ------------------------------------------------

/** The Patient's own `meta.lastUpdated`: an update of that person's dossier. */
export function extractPatientUpdate(resource: Json, key: string, emit: EmitFact): void {
  const lastUpdated = str(field(resource.meta, 'lastUpdated'));
  if (lastUpdated === null) return;
  emit({
    k: 'update',
    record: key,
    resourceType: 'Patient',
    subjects: [key],
    at: lastUpdated,
    via: 'last-updated',
  });
}

/** The `meta.lastUpdated` of any other record about persons (its subject, patient or participants). */
export function extractRecordUpdate(resource: Json, resourceType: string, key: string, emit: EmitFact): void {
  const lastUpdated = str(field(resource.meta, 'lastUpdated'));
  if (lastUpdated === null) return;
  // The persons in the order first named, each once: subject, patient, then participants. Without a Set or
  // a spread (this runs for nearly every record, and usually finds one person).
  let subjects: string[] | null = null;
  const subject = patientReference(resource.subject);
  if (subject !== null) subjects = [subject];
  const patient = patientReference(resource.patient);
  if (patient !== null && patient !== subject) (subjects ??= []).push(patient);
  if (Array.isArray(resource.participant)) {
    for (const participant of resource.participant as { actor?: unknown }[]) {
      const person = patientReference(participant.actor);
      if (person !== null && !(subjects ??= []).includes(person)) subjects.push(person);
    }
  }
  if (subjects === null || subjects.length === 0) return;
  emit({
    k: 'update',
    record: key,
    resourceType,
    subjects,
    at: lastUpdated,
    via: 'last-updated',
  });
}

/**
 * An AuditEvent that logs a create, update or delete (action C, U or D) with outcome success about
 * persons (`entity[].what`). Its own `meta.lastUpdated` is when it was logged, not a change to a dossier.
 */
export function extractAuditEventUpdate(
  resource: Json,
  key: string,
  recorded: string | null,
  success: boolean,
  persons: string[],
  emit: EmitFact,
): void {
  const action = resource.action;
  if (!success || recorded === null || persons.length === 0) return;
  if (action !== 'C' && action !== 'U' && action !== 'D') return;
  emit({
    k: 'update',
    record: key,
    resourceType: 'AuditEvent',
    subjects: persons,
    at: recorded,
    via: 'audit-event',
  });
}

/** Counts one update: the zones where it falls in P, and (meta.lastUpdated) those where it is after P. */
export function countUpdate(acc: Accumulator, fact: UpdateFact): void {
  const at = acc.parseStart(fact.at);
  const inPeriod = zonesInPeriod(acc.grid, at);
  for (const subject of fact.subjects) {
    const state = acc.person(subject, fact.record);
    if (inPeriod !== NO_ZONES) acc.contribute(CONTRIBUTION.updated, state.index, inPeriod);
  }
  if (fact.via !== 'last-updated') return;
  const after = zonesAfterPeriodEnd(acc.grid, at);
  if (after !== NO_ZONES) acc.contribute(CONTRIBUTION.updatedAfterPeriod, 0, after);
}

// ---- Once everything is read ------------------------------------------------------------------------

/** The decision: the dossier is active at ESSMS `e` (updated in P in its zone). */
export const updatedRule: PersonRule = {
  kind: 'persons',
  counts: (person, e) => hasZone(person.state.updated, e.zone),
  reason: () => 'no-update-in-period',
};

/** One `history-missing` warning, with the largest count over the zones of the reported ESSMS. */
export function warnHistoryMissing(
  acc: Accumulator,
  establishments: readonly Establishment[],
  findings: Findings,
): void {
  const count = Math.max(0, ...establishments.map((e) => acc.updatedAfterPeriod[e.zone]!));
  if (count === 0) return;
  findings.warnings.push({
    code: 'history-missing',
    count,
    message: `${count} records about persons were last updated after the end of the period: without their history as AuditEvents, an update in the period that was overwritten later is missed`,
  });
}
