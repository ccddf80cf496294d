/**
 * indicators.md "Vocabulary" → Usager / person: one person may have several Patient records. Persons are
 * identified by INS when present, else by the Patient record, merged through `Patient.link` of types
 * `replaced-by`, `replaces` and `seealso` (not `refer`). Only identifiers typed as INS count: system
 * `…1.4.8` typed `INS-NIR` (typed `NH`, or untyped, it may be a parent's billing number and never merges
 * two persons), or `…1.4.9` (INS-NIA). Two records sharing an INS without a link are merged too, with a
 * `duplicate-person` warning. A person counts once.
 *
 * Read as records stream past (`patientFact`); decided once everything is read (`resolvePersons`).
 */
import { mergePersonState, PersonState } from '../accumulator.js';
import type { Findings } from '../data-quality.js';
import type { PatientFact } from '../facts.js';
import { typeCodes, type IdentifierJson, type Json } from '../read/fhir-json.js';
import { identifierKey, idOf, referenceKey, referenceType, typeOf } from '../read/references.js';
import type { PlacedSejour } from '../rules/accompanied.js';
import { IDENTIFIER_SYSTEMS, INS_NIR_TYPE_CODE, MERGING_LINK_TYPES } from '../vocabulary/systems.js';
import { UnionFind } from './union-find.js';

// ---- Streaming: what is read from a Patient ---------------------------------------------------------

/** A Patient's keys (every identifier is an alias), its INS and its merging links. */
export function patientFact(resource: Json, key: string, aliases: string[]): PatientFact {
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
  return { k: 'patient', key, aliases, ins, links };
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

// ---- Once everything is read ------------------------------------------------------------------------

/** One person: the Patient records merged into it, their state merged, their séjours. */
export interface Person {
  /** The canonical Patient key (the smallest of the merged records' keys). */
  id: string;
  records: string[];
  /** The state of every key that reaches this person, merged. */
  state: PersonState;
  sejours: PlacedSejour[];
}

export interface Persons {
  /** The person a key (a Patient key or an alias) names, or `null`. */
  readonly personOf: (key: string) => Person | null;
  /** Each person once, by id. */
  readonly byId: ReadonlyMap<string, Person>;
}

/** Merges Patient records into persons (links, then INS), and resolves aliases to them. */
export function resolvePersons(patients: ReadonlyMap<string, PatientFact>, findings: Findings): Persons {
  const { byAlias, ambiguous } = patientAliases(patients);
  const resolvePatient = (key: string): string | null =>
    patients.has(key) ? key : (byAlias.get(key) ?? null);
  const byPatient = mergePersons(patients, resolvePatient, findings);
  restoreSamePersonAliases(byAlias, ambiguous, byPatient);
  const byId = new Map<string, Person>();
  for (const person of byPatient.values()) byId.set(person.id, person);
  return {
    personOf: (key) => {
      const patient = resolvePatient(key);
      return patient === null ? null : (byPatient.get(patient) ?? null);
    },
    byId,
  };
}

/**
 * Merges the state counted under every key into the person it names; records that referred to a key no
 * Patient answers are `unknown-subject`, each once.
 */
export function mergeStates(
  states: ReadonlyMap<string, PersonState>,
  persons: Persons,
  findings: Findings,
): void {
  const unknownSubjects = new Set<string>();
  for (const [key, state] of states) {
    const person = persons.personOf(key);
    if (person !== null) {
      mergePersonState(person.state, state);
      continue;
    }
    for (const record of state.pendingRecords ?? []) {
      if (unknownSubjects.has(record)) continue;
      unknownSubjects.add(record);
      findings.errors.push({
        code: 'unknown-subject',
        resourceType: typeOf(record),
        id: idOf(record),
        message: 'refers to a person whose Patient record is not in the input',
      });
    }
  }
}

function patientAliases(patients: ReadonlyMap<string, PatientFact>): {
  byAlias: Map<string, string>;
  ambiguous: Map<string, Set<string>>;
} {
  const byAlias = new Map<string, string>();
  const ambiguous = new Map<string, Set<string>>();
  for (const patient of patients.values()) {
    for (const alias of patient.aliases) {
      const existing = byAlias.get(alias);
      if (existing !== undefined && existing !== patient.key) {
        const claimants = ambiguous.get(alias) ?? new Set([existing]);
        claimants.add(patient.key);
        ambiguous.set(alias, claimants);
      } else if (!ambiguous.has(alias)) byAlias.set(alias, patient.key);
      else ambiguous.get(alias)!.add(patient.key);
    }
  }
  // An identifier shared by two Patient records (a parent's billing number) names neither of them, unless
  // the records turn out to be one person (see restoreSamePersonAliases).
  for (const alias of ambiguous.keys()) byAlias.delete(alias);
  return { byAlias, ambiguous };
}

/**
 * An identifier shared only by records of one person (duplicates merged through their INS or links, such as
 * the INS itself) names that person: without this, a record referring to a person by INS was reported as
 * `unknown-subject` as soon as the DUI held a duplicate. Identifiers shared by different persons stay unusable.
 */
function restoreSamePersonAliases(
  byAlias: Map<string, string>,
  ambiguous: Map<string, Set<string>>,
  byPatient: Map<string, Person>,
): void {
  for (const [alias, claimants] of ambiguous) {
    const keys = [...claimants].sort();
    const person = byPatient.get(keys[0]!);
    if (person !== undefined && keys.every((k) => byPatient.get(k) === person)) byAlias.set(alias, keys[0]!);
  }
}

function mergePersons(
  patients: ReadonlyMap<string, PatientFact>,
  resolvePatient: (key: string) => string | null,
  findings: Findings,
): Map<string, Person> {
  const linked = new UnionFind();
  for (const patient of patients.values()) {
    for (const target of patient.links) {
      const other = resolvePatient(target);
      if (other !== null) linked.union(patient.key, other);
      else {
        findings.warnings.push({
          code: 'unknown-subject',
          resourceType: 'Patient',
          id: idOf(patient.key),
          message: 'Patient.link points to a Patient record that is not in the input',
        });
      }
    }
  }
  const merged = new UnionFind();
  for (const patient of patients.values()) merged.union(patient.key, linked.find(patient.key));
  const firstByIns = new Map<string, string>();
  // Link groups already seen per INS: a record whose group (records joined by Patient.link) already shares
  // the INS is not a new duplicate. Comparing only with the first record made the number of warnings depend
  // on how records are named (p0, p3→p7 sharing one INS gave 2 warnings, or 1 once pseudonymised).
  const groupsByIns = new Map<string, Set<string>>();
  const sortedPatients = [...patients.keys()].sort();
  for (const key of sortedPatients) {
    for (const ins of patients.get(key)!.ins) {
      const first = firstByIns.get(ins);
      const groups = groupsByIns.get(ins) ?? new Set<string>();
      groupsByIns.set(ins, groups);
      const group = linked.find(key);
      const seenGroup = groups.has(group);
      groups.add(group);
      if (first === undefined) {
        firstByIns.set(ins, key);
        continue;
      }
      if (!seenGroup) {
        findings.warnings.push({
          code: 'duplicate-person',
          resourceType: 'Patient',
          id: idOf(key),
          related: [first],
          message:
            'shares its INS with another Patient record (in `related`) without a Patient.link: merged as one person (the DUI should merge them)',
        });
      }
      merged.union(first, key);
    }
  }
  const byPatient = new Map<string, Person>();
  const byRoot = new Map<string, Person>();
  for (const key of sortedPatients) {
    const root = merged.find(key);
    let person = byRoot.get(root);
    if (person === undefined) {
      person = { id: root, records: [], state: new PersonState(-1), sejours: [] };
      byRoot.set(root, person);
    }
    person.records.push(key);
    byPatient.set(key, person);
  }
  return byPatient;
}
