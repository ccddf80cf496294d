import { lastTimeDeviation, parseFhirTime } from '../vocabulary/time.js';
import { isRecord, type Json } from './fhir-json.js';

/**
 * A cheap structural check, equivalent to (never more lenient than) the zod schemas of schemas.ts, for
 * the fields the rules read. Well-formed records — nearly all of them — pass here without the cost of a
 * zod parse; a record that fails is handed to zod, whose issues make the data-quality message.
 * Keep the two in step: `quick-check.test.ts` compares them on generated records.
 */
const optString = (v: unknown): boolean => v === undefined || typeof v === 'string';

/**
 * Time values of the record being checked that are outside FHIR's grammar but usable (`TIME_DEVIATIONS`),
 * as pairs field, deviation: read by `timeDeviationsOfLastCheck` once the check passes. Reused, so that a
 * well-formed record allocates nothing.
 */
const deviations: (string | number)[] = [];
/** How many entries of `deviations` belong to the record being checked (the array is never shrunk). */
let deviationEntries = 0;

function time(v: string, field: string): boolean {
  if (Number.isNaN(parseFhirTime(v, 'start'))) return false;
  const deviation = lastTimeDeviation();
  if (deviation !== 0) {
    deviations[deviationEntries++] = field;
    deviations[deviationEntries++] = deviation;
  }
  return true;
}
const optTime = (v: unknown, field: string): boolean =>
  v === undefined || (typeof v === 'string' && time(v, field));
const isTime = (v: unknown, field: string): boolean => typeof v === 'string' && time(v, field);

function arrayOf(v: unknown, item: (x: unknown) => boolean): boolean {
  if (!Array.isArray(v)) return false;
  for (const x of v) if (!item(x)) return false;
  return true;
}
const optArrayOf = (v: unknown, item: (x: unknown) => boolean): boolean =>
  v === undefined || arrayOf(v, item);

const coding = (v: unknown): boolean => isRecord(v) && optString(v.system) && optString(v.code);
const codeableConcept = (v: unknown): boolean =>
  isRecord(v) && optArrayOf(v.coding, coding) && optString(v.text);
const identifier = (v: unknown): boolean =>
  isRecord(v) &&
  optString(v.system) &&
  optString(v.value) &&
  (v.type === undefined || codeableConcept(v.type));
const reference = (v: unknown): boolean =>
  isRecord(v) &&
  optString(v.reference) &&
  optString(v.type) &&
  (v.identifier === undefined || identifier(v.identifier));
const optReference = (v: unknown): boolean => v === undefined || reference(v);
const optPeriod = (v: unknown, field: string): boolean =>
  v === undefined || (isRecord(v) && optTime(v.start, `${field}.start`) && optTime(v.end, `${field}.end`));
const optIdentifiers = (v: unknown): boolean => optArrayOf(v, identifier);

// Item checks as constants: an arrow written inside a check would be a new closure per record.
const isString = (v: unknown): boolean => typeof v === 'string';
const patientLink = (l: unknown): boolean => isRecord(l) && reference(l.other) && typeof l.type === 'string';
const participant = (p: unknown): boolean => isRecord(p) && optReference(p.actor);
const agent = (a: unknown): boolean => isRecord(a) && optReference(a.who);
const entity = (e: unknown): boolean => isRecord(e) && optReference(e.what);

function base(r: Json): boolean {
  if (typeof r.resourceType !== 'string') return false;
  if (r.id !== undefined && (typeof r.id !== 'string' || r.id.length === 0)) return false;
  const meta = r.meta;
  if (meta === undefined) return true;
  return (
    isRecord(meta) && optTime(meta.lastUpdated, 'meta.lastUpdated') && optArrayOf(meta.profile, isString)
  );
}

const CHECKS: Readonly<Record<string, (r: Json) => boolean>> = {
  Organization: (r) => optIdentifiers(r.identifier) && optString(r.name) && optReference(r.partOf),
  Patient: (r) => optIdentifiers(r.identifier) && optArrayOf(r.link, patientLink),
  Encounter: (r) =>
    typeof r.status === 'string' &&
    optIdentifiers(r.identifier) &&
    optReference(r.subject) &&
    optReference(r.serviceProvider) &&
    optReference(r.partOf) &&
    optPeriod(r.period, 'period'),
  EpisodeOfCare: (r) =>
    typeof r.status === 'string' &&
    optIdentifiers(r.identifier) &&
    reference(r.patient) &&
    optReference(r.managingOrganization) &&
    optPeriod(r.period, 'period'),
  Appointment: (r) =>
    typeof r.status === 'string' && optTime(r.start, 'start') && arrayOf(r.participant, participant),
  CarePlan: (r) =>
    typeof r.status === 'string' &&
    optIdentifiers(r.identifier) &&
    optArrayOf(r.category, codeableConcept) &&
    reference(r.subject) &&
    optTime(r.created, 'created') &&
    optPeriod(r.period, 'period'),
  AuditEvent: (r) =>
    coding(r.type) &&
    optString(r.action) &&
    isTime(r.recorded, 'recorded') &&
    optString(r.outcome) &&
    optArrayOf(r.agent, agent) &&
    optArrayOf(r.entity, entity),
};

const otherResource = (r: Json): boolean => optReference(r.subject) && optReference(r.patient);

/** `true` when the record certainly passes its zod schema; `false` means "ask zod". */
export function passesQuickCheck(resourceType: string, record: Json): boolean {
  deviationEntries = 0;
  if (!base(record)) return false;
  const check = Object.hasOwn(CHECKS, resourceType) ? CHECKS[resourceType]! : otherResource;
  return check(record);
}

/**
 * The time values outside FHIR's grammar (but usable) of the record the last `passesQuickCheck` call
 * accepted, as pairs field (`period.start`), `TIME_DEVIATIONS` bits; empty for nearly every record.
 */
export function timeDeviationsOfLastCheck(): readonly (string | number)[] {
  return deviationEntries === 0 ? NONE : deviations.slice(0, deviationEntries);
}
const NONE: readonly (string | number)[] = [];
