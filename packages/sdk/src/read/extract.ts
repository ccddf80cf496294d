/**
 * Reading: one record (a FHIR resource, or a Bundle whose entries are read in turn) into facts, the
 * minimal fields the rules read (facts.ts). This file only validates, names the record and dispatches by
 * resource type; what is read from each type is written in the rule or the resolution that needs it.
 */
import type { EmitFact, Fact } from '../facts.js';
import type { EngineOptions } from '../options.js';
import { extractAppointmentEvents, encounterEventFact } from '../rules/agenda-event.js';
import { encounterSejourFact, episodeOfCareFact } from '../rules/accompanied.js';
import { projetPersonnaliseFact } from '../rules/projet-personnalise.js';
import { extractAuditEventUpdate, extractPatientUpdate, extractRecordUpdate } from '../rules/updated.js';
import { extractUsageEvent } from '../rules/usage-event.js';
import { organisationFact } from '../resolve/establishments.js';
import { patientFact } from '../resolve/persons.js';
import { isRecord, str, type Json } from './fhir-json.js';
import { passesQuickCheck } from './quick-check.js';
import { defaultRecognisers, type Recognisers } from './recognisers.js';
import { patientReference, recordKey, referenceKey } from './references.js';
import { describeIssues, otherResourceSchema, SCHEMAS_BY_TYPE } from './schemas.js';

/** What fact extraction needs: no measurement date, so it can run anywhere (e.g. in a worker thread). */
export type ExtractorOptions = Pick<EngineOptions, 'recognisers' | 'allCarePlansAreProjetPersonnalise'>;

interface ExtractContext {
  recognisers: Recognisers;
  allCarePlansAreProjetPersonnalise: boolean;
}

const MAX_BUNDLE_DEPTH = 4;

/**
 * Turns records (resources or Bundles) into facts, without counting them: the first half of the engine,
 * for callers that extract in parallel (worker threads) and feed the facts to one engine's `addFact`.
 */
export function createFactExtractor(
  options: ExtractorOptions = {},
): (record: unknown, emit: (fact: Fact) => void) => void {
  const ctx: ExtractContext = {
    recognisers: { ...defaultRecognisers, ...options.recognisers },
    allCarePlansAreProjetPersonnalise: options.allCarePlansAreProjetPersonnalise ?? false,
  };
  const addRecord = (record: unknown, fullUrl: string | null, depth: number, emit: EmitFact): void => {
    if (isBundle(record)) {
      const problem = (message: string): void =>
        emit({
          k: 'problem',
          code: 'invalid-resource',
          resourceType: 'Bundle',
          id: typeof record.id === 'string' ? record.id : '(none)',
          message,
        });
      if (depth >= MAX_BUNDLE_DEPTH) return problem('Bundles nested too deeply');
      const entries = record.entry;
      if (entries === undefined) return;
      if (!Array.isArray(entries)) return problem('entry: expected an array');
      for (const entry of entries as unknown[]) {
        if (!isRecord(entry)) continue;
        const { resource, fullUrl: url } = entry;
        if (resource === undefined) continue; // e.g. a DELETE request entry
        addRecord(resource, typeof url === 'string' ? url : null, depth + 1, emit);
      }
      return;
    }
    extractFacts(record, fullUrl, ctx, emit);
  };
  return (record, emit) => addRecord(record, null, 0, emit);
}

function isBundle(value: unknown): value is { resourceType: 'Bundle'; id?: unknown; entry?: unknown } {
  return isRecord(value) && value.resourceType === 'Bundle';
}

/**
 * Turns one record (never a Bundle) into facts. Invalid records become one `problem` fact, with the path
 * and reason but never the value, and nothing else.
 */
function extractFacts(record: unknown, fullUrl: string | null, ctx: ExtractContext, emit: EmitFact): void {
  if (!isRecord(record)) {
    emit(invalid('unknown', '(none)', 'not a JSON object'));
    return;
  }
  const resource = record;
  const resourceType = resource.resourceType;
  if (typeof resourceType !== 'string' || resourceType.length === 0) {
    const id = typeof resource.id === 'string' ? resource.id : '(none)';
    emit(invalid('unknown', id, 'resourceType is missing'));
    return;
  }
  // Own properties only: a record whose resourceType is `__proto__` or `constructor` must not reach
  // Object.prototype (found by the property tests: the engine threw `schema.safeParse is not a function`).
  const schema = Object.hasOwn(SCHEMAS_BY_TYPE, resourceType)
    ? SCHEMAS_BY_TYPE[resourceType]!
    : otherResourceSchema;
  const key = recordKey(resourceType, resource.id, fullUrl);
  // The cheap check passes nearly every record; zod runs only on the rest, for its precise message.
  if (!passesQuickCheck(resourceType, resource)) {
    const parsed = schema.safeParse(resource);
    if (!parsed.success) {
      const id =
        typeof resource.id === 'string' && resource.id.length > 0 ? resource.id : (fullUrl ?? '(none)');
      emit(invalid(resourceType, id, describeIssues(parsed.error)));
      return;
    }
  }
  const aliases = fullUrl !== null && fullUrl !== key ? [fullUrl] : [];

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

function invalid(resourceType: string, id: string, message: string): Fact {
  return { k: 'problem', code: 'invalid-resource', resourceType, id, message };
}
