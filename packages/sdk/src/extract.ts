import {
  FINESS_TYPE_GEOGRAPHIQUE,
  FINESS_TYPE_JURIDIQUE,
  IDENTIFIER_SYSTEMS,
  INS_NIR_TYPE_CODE,
  MERGING_LINK_TYPES,
} from './constants.js';
import type { Fact } from './facts.js';
import type { Recognisers } from './recognisers.js';
import { identifierKey, referenceKey, referenceType, typeOfKey } from './references.js';
import { passesQuickCheck } from './quick-check.js';
import { describeIssues, otherResourceSchema, SCHEMAS_BY_TYPE } from './schemas.js';

/** What extraction needs besides the record. */
export interface ExtractContext {
  recognisers: Recognisers;
  allCarePlansAreProjetPersonnalise: boolean;
}

type Json = Record<string, unknown>;
type Emit = (fact: Fact) => void;

interface IdentifierJson {
  system?: string;
  value?: string;
  type?: { coding?: { code?: string }[] };
}

/**
 * Turns one record (never a Bundle: the engine unpacks those) into facts. Invalid records become one
 * `problem` fact, with the path and reason but never the value, and nothing else.
 */
export function extractFacts(record: unknown, fullUrl: string | null, ctx: ExtractContext, emit: Emit): void {
  if (record === null || typeof record !== 'object' || Array.isArray(record)) {
    emit(problem('invalid-resource', 'unknown', '(none)', 'not a JSON object'));
    return;
  }
  const resource = record as Json;
  const resourceType = resource.resourceType;
  if (typeof resourceType !== 'string' || resourceType.length === 0) {
    const id = typeof resource.id === 'string' ? resource.id : '(none)';
    emit(problem('invalid-resource', 'unknown', id, 'resourceType is missing'));
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
      const id = displayId(resource.id, fullUrl);
      emit(problem('invalid-resource', resourceType, id, describeIssues(parsed.error)));
      return;
    }
  }
  const aliases = fullUrl !== null && fullUrl !== key ? [fullUrl] : [];

  switch (resourceType) {
    case 'Organization':
      emitOrganisation(resource, key, aliases, emit);
      return;
    case 'Patient':
      emitPatient(resource, key, aliases, emit);
      return;
    case 'Encounter':
      emitEncounter(resource, key, aliases, ctx, emit);
      break;
    case 'EpisodeOfCare':
      emit({
        k: 'sejour',
        key,
        aliases: aliases.concat(identifierAliases(resource.identifier)),
        resourceType: 'EpisodeOfCare',
        subject: referenceKey(resource.patient),
        provider: referenceKey(resource.managingOrganization),
        status: str(resource.status),
        start: str(field(resource.period, 'start')),
        end: str(field(resource.period, 'end')),
        partOf: null,
      });
      break;
    case 'Appointment':
      emitAppointment(resource, key, emit);
      break;
    case 'CarePlan':
      if (ctx.allCarePlansAreProjetPersonnalise || ctx.recognisers.isProjetPersonnalise(resource)) {
        emit({
          k: 'projet-personnalise',
          record: key,
          subject: referenceKey(resource.subject),
          status: str(resource.status),
          created: str(resource.created),
          end: str(field(resource.period, 'end')),
        });
      }
      break;
    case 'AuditEvent':
      emitAuditEvent(resource, key, ctx, emit);
      // An AuditEvent's own meta.lastUpdated is when it was logged, not a change to the person's record.
      return;
    default:
      break;
  }
  emitLastUpdated(resource, resourceType, key, emit);
}

function emitOrganisation(resource: Json, key: string, aliases: string[], emit: Emit): void {
  let fineg: string | null = null;
  let finej: string | null = null;
  let finess: string | null = null;
  const ids = Array.isArray(resource.identifier) ? (resource.identifier as IdentifierJson[]) : [];
  for (const id of ids) {
    if (typeof id.system !== 'string' || typeof id.value !== 'string') continue;
    aliases.push(identifierKey(id.system, id.value));
    const codes = typeCodes(id);
    if (id.system === IDENTIFIER_SYSTEMS.finess) {
      const value = id.value.trim().toUpperCase();
      if (codes.includes(FINESS_TYPE_GEOGRAPHIQUE)) fineg ??= value;
      else if (codes.includes(FINESS_TYPE_JURIDIQUE)) finej ??= value;
      else finess ??= value;
    } else if (id.system === IDENTIFIER_SYSTEMS.idNatSt && id.value.startsWith('1')) {
      finess ??= id.value.slice(1).trim().toUpperCase();
    }
  }
  emit({
    k: 'organisation',
    key,
    aliases,
    fineg,
    finej,
    finess,
    partOf: referenceKey(resource.partOf),
    name: str(resource.name),
  });
}

function emitPatient(resource: Json, key: string, aliases: string[], emit: Emit): void {
  const ins: string[] = [];
  const ids = Array.isArray(resource.identifier) ? (resource.identifier as IdentifierJson[]) : [];
  for (const id of ids) {
    if (typeof id.system !== 'string' || typeof id.value !== 'string' || id.value.length === 0) continue;
    aliases.push(identifierKey(id.system, id.value));
    if (isIns(id)) ins.push(`${id.system}|${id.value.replace(/\s/g, '')}`);
  }
  const links: string[] = [];
  if (Array.isArray(resource.link)) {
    for (const link of resource.link as { other?: unknown; type?: unknown }[]) {
      if (typeof link.type !== 'string' || !MERGING_LINK_TYPES.has(link.type)) continue;
      const target = referenceKey(link.other);
      const type = referenceType(link.other);
      if (target !== null && (type === null || type === 'Patient')) links.push(target);
    }
  }
  emit({ k: 'patient', key, aliases, ins, links });
  const lastUpdated = str(field(resource.meta, 'lastUpdated'));
  if (lastUpdated !== null) {
    emit({
      k: 'update',
      record: key,
      resourceType: 'Patient',
      subjects: [key],
      at: lastUpdated,
      via: 'last-updated',
    });
  }
}

/**
 * INS-NIR counts only when typed `INS-NIR` (the same system typed `NH`, or untyped, may be a billing number
 * shared with a parent and must never merge two persons); INS-NIA always; the test and demonstration
 * systems unless typed otherwise.
 */
function isIns(id: IdentifierJson): boolean {
  const codes = typeCodes(id);
  if (id.system === IDENTIFIER_SYSTEMS.insNir) return codes.includes(INS_NIR_TYPE_CODE);
  if (id.system === IDENTIFIER_SYSTEMS.insNia) return true;
  if (id.system === IDENTIFIER_SYSTEMS.insTest || id.system === IDENTIFIER_SYSTEMS.insDemo) {
    return codes.length === 0 || codes.includes(INS_NIR_TYPE_CODE) || codes.includes('INS-NIA');
  }
  return false;
}

function emitEncounter(
  resource: Json,
  key: string,
  aliases: string[],
  ctx: ExtractContext,
  emit: Emit,
): void {
  const kind = ctx.recognisers.encounterKind(resource);
  const partOf = referenceKey(resource.partOf);
  switch (kind) {
    case 'sejour':
      emit({
        k: 'sejour',
        key,
        aliases: aliases.concat(identifierAliases(resource.identifier)),
        resourceType: 'Encounter',
        subject: patientReference(resource.subject),
        provider: referenceKey(resource.serviceProvider),
        status: str(resource.status),
        start: str(field(resource.period, 'start')),
        end: str(field(resource.period, 'end')),
        partOf,
      });
      return;
    case 'event':
    case 'event-if-part-of-sejour':
      emit({
        k: 'event',
        record: key,
        resourceType: 'Encounter',
        subject: patientReference(resource.subject),
        status: str(resource.status),
        start: str(field(resource.period, 'start')),
        partOf: kind === 'event' ? null : partOf,
      });
      return;
    case 'other':
      return;
  }
}

function emitAppointment(resource: Json, key: string, emit: Emit): void {
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

function emitAuditEvent(resource: Json, key: string, ctx: ExtractContext, emit: Emit): void {
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
  if (kind !== null) {
    const { org, untyped } = usageOrganisation(resource.agent);
    emit({
      k: 'usage',
      record: key,
      kind,
      at: recorded,
      success,
      subject: persons[0] ?? null,
      org,
      ...(untyped ? { orgUntyped: true as const } : {}),
    });
  }
  const action = resource.action;
  if (
    success &&
    recorded !== null &&
    persons.length > 0 &&
    (action === 'C' || action === 'U' || action === 'D')
  ) {
    emit({
      k: 'update',
      record: key,
      resourceType: 'AuditEvent',
      subjects: persons,
      at: recorded,
      via: 'audit-event',
    });
  }
}

/**
 * The ESSMS named by an agent: an Organization reference, or an identifier with a FINESS system. Failing
 * those, an untyped `urn:uuid:` reference (how Bundles refer to their entries, data-model.md "Identity and
 * references"), flagged `untyped`: only the end of the computation knows whether it names an Organization.
 */
function usageOrganisation(agents: unknown): { org: string | null; untyped: boolean } {
  if (!Array.isArray(agents)) return { org: null, untyped: false };
  let untypedCandidate: string | null = null;
  for (const agent of agents as ({ who?: unknown } | null)[]) {
    const who = agent?.who as { reference?: unknown; identifier?: IdentifierJson } | undefined;
    if (who === undefined || who === null) continue;
    const type = referenceType(who);
    if (type === 'Organization') return { org: referenceKey(who), untyped: false };
    const id = who.identifier;
    if (
      type === null &&
      typeof who.reference !== 'string' &&
      id !== undefined &&
      (id.system === IDENTIFIER_SYSTEMS.finess || id.system === IDENTIFIER_SYSTEMS.idNatSt)
    ) {
      return { org: referenceKey(who), untyped: false };
    }
    if (type === null && untypedCandidate === null && typeof who.reference === 'string') {
      if (who.reference.startsWith('urn:')) untypedCandidate = who.reference;
    }
  }
  return untypedCandidate === null ? { org: null, untyped: false } : { org: untypedCandidate, untyped: true };
}

function emitLastUpdated(resource: Json, resourceType: string, key: string, emit: Emit): void {
  const lastUpdated = str(field(resource.meta, 'lastUpdated'));
  if (lastUpdated === null) return;
  const subjects = new Set<string>();
  for (const ref of [resource.subject, resource.patient]) {
    const person = patientReference(ref);
    if (person !== null) subjects.add(person);
  }
  if (Array.isArray(resource.participant)) {
    for (const participant of resource.participant as { actor?: unknown }[]) {
      const person = patientReference(participant.actor);
      if (person !== null) subjects.add(person);
    }
  }
  if (subjects.size === 0) return;
  emit({
    k: 'update',
    record: key,
    resourceType,
    subjects: [...subjects],
    at: lastUpdated,
    via: 'last-updated',
  });
}

/**
 * The key of a reference that may point to a person. A reference typed as something else (`Group/…`,
 * `Practitioner/…`) is not about a person; an untyped `urn:uuid:` or identifier reference may be, and is
 * resolved at the end. The type comes from the key itself (`Type/id`), parsed once.
 */
function patientReference(ref: unknown): string | null {
  const key = referenceKey(ref);
  if (key === null) return null;
  const explicit = (ref as { type?: unknown }).type;
  // An identifier key may come from a conditional reference (`Group?identifier=…`), which names its type.
  const type =
    typeof explicit === 'string' ? explicit : key.startsWith('ident:') ? referenceType(ref) : typeOfKey(key);
  return type === null || type === 'Patient' ? key : null;
}

function identifierAliases(identifiers: unknown): string[] {
  if (!Array.isArray(identifiers)) return [];
  const out: string[] = [];
  for (const id of identifiers as IdentifierJson[]) {
    if (typeof id.system === 'string' && typeof id.value === 'string')
      out.push(identifierKey(id.system, id.value));
  }
  return out;
}

function typeCodes(id: IdentifierJson): string[] {
  const codings = id.type?.coding;
  if (!Array.isArray(codings)) return [];
  return codings.map((c) => c.code).filter((c): c is string => typeof c === 'string');
}

function recordKey(resourceType: string, id: unknown, fullUrl: string | null): string {
  if (typeof id === 'string' && id.length > 0) return `${resourceType}/${id}`;
  if (fullUrl !== null) return fullUrl;
  return `${resourceType}/(no id)`;
}

function displayId(id: unknown, fullUrl: string | null): string {
  return typeof id === 'string' && id.length > 0 ? id : (fullUrl ?? '(none)');
}

function problem(code: 'invalid-resource', resourceType: string, id: string, message: string): Fact {
  return { k: 'problem', code, resourceType, id, message };
}

function field(value: unknown, name: string): unknown {
  return value !== null && typeof value === 'object' ? (value as Json)[name] : undefined;
}

function str(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}
