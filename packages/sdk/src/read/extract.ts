/**
 * Reading: one record (a FHIR resource, or a Bundle whose entries are read in turn) into facts, the
 * minimal fields the rules read (facts.ts). This file only validates, names the record and dispatches by
 * resource type; what is read from each type is written in the rule or the resolution that needs it.
 */
import type { EmitFact, Fact, ProblemFact } from '../facts.js';
import type { FindingLocation } from '../results.js';
import type { EngineOptions } from '../options.js';
import { extractAppointmentEvents, encounterEventFact } from '../rules/agenda-event.js';
import { encounterSejourFact, episodeOfCareFact } from '../rules/accompanied.js';
import { projetPersonnaliseFact } from '../rules/projet-personnalise.js';
import { extractAuditEventUpdate, extractPatientUpdate, extractRecordUpdate } from '../rules/updated.js';
import { extractUsageEvent } from '../rules/usage-event.js';
import { organisationFact } from '../resolve/establishments.js';
import { patientFact } from '../resolve/persons.js';
import { field, isRecord, str, type Json } from './fhir-json.js';
import { passesQuickCheck, timeDeviationsOfLastCheck } from './quick-check.js';
import { defaultRecognisers, type Recognisers } from './recognisers.js';
import { patientReference, recordKey, referenceKey } from './references.js';
import { describeIssues, otherResourceSchema, SCHEMAS_BY_TYPE } from './schemas.js';

/** What fact extraction needs: no measurement date, so it can run anywhere (e.g. in a worker thread). */
export type ExtractorOptions = Pick<EngineOptions, 'recognisers' | 'allCarePlansAreProjetPersonnalise'>;

/**
 * Where the caller read a record: what the findings about it say (`input`, `line`, `byteOffset`), and
 * `order`, its place in the whole input when several readers share it out (parallel readers give, say,
 * file index × 2⁴⁰ + byte offset), which decides which of two versions of a `Type/id` with the same
 * `meta.lastUpdated` was read last. Without `order`, the order of the calls decides.
 */
export interface RecordLocation {
  input?: string | undefined;
  line?: number | undefined;
  byteOffset?: number | undefined;
  order?: number | undefined;
}

/** Turns records into facts (see `createFactExtractor`). */
export interface FactExtractor {
  (record: unknown, emit: EmitFact, location?: RecordLocation): void;
  /**
   * Emits what was counted across records rather than per record (time values outside FHIR's grammar, per
   * field), and starts counting again: call it once the input is read, before the facts are counted.
   */
  flush(emit: EmitFact): void;
}

interface ExtractContext {
  recognisers: Recognisers;
  allCarePlansAreProjetPersonnalise: boolean;
  /** `Type.field|deviations` → how many values (time values outside FHIR's grammar). */
  timeForms: Map<string, number>;
}

/**
 * Where one record (or Bundle entry) is: the caller's location, plus the Bundle entry it was read from
 * (index in the innermost Bundle, and that Bundle's `Type/id` when it has one). Built only for a finding:
 * reading passes the parts along, allocating nothing per record.
 */
interface Place {
  location: RecordLocation | undefined;
  entry: number | undefined;
  bundle: string | undefined;
}

const MAX_BUNDLE_DEPTH = 4;

/**
 * Turns records (resources or Bundles) into facts, without counting them: the first half of the engine,
 * for callers that extract in parallel (worker threads) and feed the facts to one engine's `addFact`.
 * Every record's facts are preceded by a `record` fact (its `Type/id` and `meta.lastUpdated`, for
 * indicators.md "One Type/id is one record").
 */
export function createFactExtractor(options: ExtractorOptions = {}): FactExtractor {
  const ctx: ExtractContext = {
    recognisers: { ...defaultRecognisers, ...options.recognisers },
    allCarePlansAreProjetPersonnalise: options.allCarePlansAreProjetPersonnalise ?? false,
    timeForms: new Map(),
  };
  const addRecord = (
    record: unknown,
    fullUrl: string | null,
    depth: number,
    location: RecordLocation | undefined,
    entryIndex: number | undefined,
    inBundle: string | undefined,
    emit: EmitFact,
  ): void => {
    if (isBundle(record)) {
      const place: Place = { location, entry: entryIndex, bundle: inBundle };
      const bundle =
        typeof record.id === 'string' && record.id.length > 0 ? `Bundle/${record.id}` : undefined;
      const problem = (message: string, entry?: number): void =>
        emit(problemFact('invalid-resource', 'Bundle', record.id, message, place, entry));
      if (depth >= MAX_BUNDLE_DEPTH) return problem('Bundles nested too deeply');
      const entries = record.entry;
      if (entries === undefined) return;
      if (!Array.isArray(entries)) return problem('entry: expected an array');
      (entries as unknown[]).forEach((entry, index) => {
        // Nothing is skipped in silence: an entry that holds no record is reported with its index.
        if (!isRecord(entry))
          return problem(`entry ${index} is ${describeJsonKind(entry)}, not an object`, index);
        const { resource, fullUrl: url } = entry;
        if (resource === undefined || resource === null) {
          return problem(
            entry.request !== undefined
              ? `entry ${index} is a request without a resource: no record to read`
              : `entry ${index} has no resource`,
            index,
          );
        }
        addRecord(resource, typeof url === 'string' ? url : null, depth + 1, location, index, bundle, emit);
      });
      return;
    }
    extractFacts(record, fullUrl, ctx, location, entryIndex, inBundle, emit);
  };
  const extractor = ((record: unknown, emit: EmitFact, location?: RecordLocation): void =>
    addRecord(record, null, 0, location, undefined, undefined, emit)) as FactExtractor;
  extractor.flush = (emit) => {
    // A marker without Type/id first: these counts belong to no record's version.
    if (ctx.timeForms.size > 0) emit({ k: 'record', resourceType: 'unknown', id: null, lastUpdated: null });
    for (const [key, count] of ctx.timeForms) {
      const bar = key.lastIndexOf('|');
      emit({ k: 'time-form', field: key.slice(0, bar), deviations: Number(key.slice(bar + 1)), count });
    }
    ctx.timeForms.clear();
  };
  return extractor;
}

function isBundle(value: unknown): value is { resourceType: 'Bundle'; id?: unknown; entry?: unknown } {
  return isRecord(value) && value.resourceType === 'Bundle';
}

function describeJsonKind(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return `a ${typeof value}`;
}

/** A problem fact, with the place it was read (never the record's content). */
function problemFact(
  code: 'invalid-resource',
  resourceType: string,
  id: unknown,
  message: string,
  place: Place,
  entry?: number,
): ProblemFact {
  const at = entry ?? place.entry;
  const source = place.location;
  const location: FindingLocation = {
    ...(source?.input === undefined ? {} : { input: source.input }),
    ...(source?.line === undefined ? {} : { line: source.line }),
    ...(source?.byteOffset === undefined ? {} : { byteOffset: source.byteOffset }),
    ...(at === undefined ? {} : { entry: at }),
  };
  const related = resourceType !== 'Bundle' && place.bundle !== undefined ? [place.bundle] : undefined;
  return {
    k: 'problem',
    code,
    resourceType,
    ...(typeof id === 'string' && id.length > 0 ? { id } : {}),
    message,
    ...(Object.keys(location).length === 0 ? {} : { location }),
    ...(related === undefined ? {} : { related }),
  };
}

/**
 * Turns one record (never a Bundle) into facts. Invalid records become one `problem` fact, with the path
 * and reason but never the value, and where the record was read; nothing else.
 */
function extractFacts(
  record: unknown,
  fullUrl: string | null,
  ctx: ExtractContext,
  location: RecordLocation | undefined,
  entry: number | undefined,
  bundle: string | undefined,
  emit: EmitFact,
): void {
  if (!isRecord(record)) {
    emit(
      problemFact(
        'invalid-resource',
        'unknown',
        undefined,
        `not a JSON object (${describeJsonKind(record)})`,
        { location, entry, bundle },
      ),
    );
    return;
  }
  const resource = record;
  const resourceType = resource.resourceType;
  if (typeof resourceType !== 'string' || resourceType.length === 0) {
    emit(
      problemFact('invalid-resource', 'unknown', resource.id, 'resourceType is missing', {
        location,
        entry,
        bundle,
      }),
    );
    return;
  }
  // Own properties only: a record whose resourceType is `__proto__` or `constructor` must not reach
  // Object.prototype (found by the property tests: the engine threw `schema.safeParse is not a function`).
  const schema = Object.hasOwn(SCHEMAS_BY_TYPE, resourceType)
    ? SCHEMAS_BY_TYPE[resourceType]!
    : otherResourceSchema;
  const key = recordKey(resourceType, resource.id, fullUrl);
  // The cheap check passes nearly every record; zod runs only on the rest, for its precise message.
  // Time values outside FHIR's grammar: those of a record with an id follow its `record` fact (so that only
  // the version used counts them); the others are counted across records and emitted by `flush`.
  let timeForms: Fact[] | null = null;
  if (passesQuickCheck(resourceType, resource)) {
    timeForms = noteTimeDeviations(
      ctx,
      resourceType,
      typeof resource.id === 'string' && resource.id.length > 0,
    );
  } else {
    const parsed = schema.safeParse(resource);
    if (!parsed.success) {
      emit(
        problemFact('invalid-resource', resourceType, resource.id ?? fullUrl, describeIssues(parsed.error), {
          location,
          entry,
          bundle,
        }),
      );
      return;
    }
  }
  const aliases = fullUrl !== null && fullUrl !== key ? [fullUrl] : [];
  // The record's facts are preceded by its Type/id. Always for a record with an id, even one that yields no
  // fact: a later version that yields none (an AuditEvent that failed) must still supersede an earlier one.
  const hasId = typeof resource.id === 'string' && resource.id.length > 0;
  let marked = hasId;
  if (hasId) {
    emit({
      k: 'record',
      resourceType,
      id: resource.id as string,
      lastUpdated: str(field(resource.meta, 'lastUpdated')),
    });
    if (timeForms !== null) for (const fact of timeForms) emit(fact);
  }
  const own: EmitFact = marked
    ? emit
    : (fact) => {
        if (!marked) {
          // No Type/id: no duplicates, but the marker closes the scope of the previous record's facts.
          marked = true;
          emit({ k: 'record', resourceType, id: null, lastUpdated: null });
        }
        emit(fact);
      };
  extractOwnFacts(resource, resourceType, key, aliases, ctx, own);
}

/**
 * The time values of the record just checked that are outside FHIR's grammar, per field: as facts to emit
 * after its `record` fact (`ownFacts`: a record with an id; null when there are none), or counted in `ctx`.
 */
function noteTimeDeviations(ctx: ExtractContext, resourceType: string, ownFacts: boolean): Fact[] | null {
  const deviations = timeDeviationsOfLastCheck();
  if (deviations.length === 0) return null;
  const facts: Fact[] = [];
  for (let i = 0; i < deviations.length; i += 2) {
    const field = `${resourceType}.${deviations[i] as string}`;
    const bits = deviations[i + 1] as number;
    if (ownFacts) facts.push({ k: 'time-form', field, deviations: bits, count: 1 });
    else {
      const key = `${field}|${bits}`;
      ctx.timeForms.set(key, (ctx.timeForms.get(key) ?? 0) + 1);
    }
  }
  return facts.length === 0 ? null : facts;
}

function extractOwnFacts(
  resource: Json,
  resourceType: string,
  key: string,
  aliases: string[],
  ctx: ExtractContext,
  emit: EmitFact,
): void {
  switch (resourceType) {
    case 'Organization':
      emit(organisationFact(resource, key, aliases));
      return;
    case 'Patient':
      emit(patientFact(resource, key, aliases));
      extractPatientUpdate(resource, key, emit);
      return;
    case 'Encounter':
      extractEncounter(resource, key, aliases, ctx, emit);
      break;
    case 'EpisodeOfCare':
      emit(episodeOfCareFact(resource, key, aliases));
      break;
    case 'Appointment':
      extractAppointmentEvents(resource, key, emit);
      break;
    case 'CarePlan':
      if (ctx.allCarePlansAreProjetPersonnalise || ctx.recognisers.isProjetPersonnalise(resource))
        emit(projetPersonnaliseFact(resource, key));
      break;
    case 'AuditEvent':
      extractAuditEvent(resource, key, ctx, emit);
      // An AuditEvent's own meta.lastUpdated is when it was logged, not a change to the person's record.
      return;
    default:
      break;
  }
  extractRecordUpdate(resource, resourceType, key, emit);
}

/** An Encounter is a séjour, an agenda event, or neither (the recogniser says which). */
function extractEncounter(
  resource: Json,
  key: string,
  aliases: string[],
  ctx: ExtractContext,
  emit: EmitFact,
): void {
  const kind = ctx.recognisers.encounterKind(resource);
  const partOf = referenceKey(resource.partOf);
  switch (kind) {
    case 'sejour':
      emit(encounterSejourFact(resource, key, aliases, partOf));
      return;
    case 'event':
      emit(encounterEventFact(resource, key, null));
      return;
    case 'event-if-part-of-sejour':
      emit(encounterEventFact(resource, key, partOf));
      return;
    case 'other':
      return;
  }
}

/** An AuditEvent may be a usage event, and may log an update of the persons it is about. */
function extractAuditEvent(resource: Json, key: string, ctx: ExtractContext, emit: EmitFact): void {
  const recorded = str(resource.recorded);
  const success = resource.outcome === '0';
  const persons: string[] = [];
  if (Array.isArray(resource.entity)) {
    for (const entity of resource.entity as { what?: unknown }[]) {
      const person = patientReference(entity.what);
      if (person !== null) persons.push(person);
    }
  }
  const kind = ctx.recognisers.usageEventKind(resource);
  if (kind !== null) extractUsageEvent(resource, key, kind, recorded, success, persons, emit);
  extractAuditEventUpdate(resource, key, recorded, success, persons, emit);
}
