import {
  idOf,
  typeOf,
  countUsage,
  OrgCounters,
  type Accumulator,
  type PendingUsage,
  type PersonAcc,
  type SejourRec,
} from './accumulator.js';
import { TARGETS } from './constants.js';
import type {
  EstablishmentExplanation,
  ExclusionReason,
  IndicatorExplanation,
  SubjectLists,
} from './explain.js';
import type { OrganisationFact } from './facts.js';
import { checkFiness, timezoneForFiness } from './finess.js';
import { maskInPeriod } from './period.js';
import type {
  DataQualityFinding,
  EstablishmentResult,
  IndicatorResults,
  OrganisationResult,
  RateIndicatorId,
  RateResult,
  ResultsDocument,
} from './results.js';
import { RATE_INDICATOR_IDS } from './results.js';
import { resolveInstant } from './time.js';
import { UnionFind } from './union-find.js';

/** The result of one computation: the public results document and the (local-only) subject lists. */
export interface Computation {
  results: ResultsDocument;
  subjects: SubjectLists;
}

const EXCLUDED_SEJOUR_STATUSES = new Set(['planned', 'cancelled', 'entered-in-error']);
const EXCLUDED_EPISODE_STATUSES = new Set(['planned', 'cancelled', 'entered-in-error', 'waitlist']);

interface OrgRec {
  fact: OrganisationFact;
  /** The FINESS under which it would be reported (géographique first). */
  finess: string | null;
}

interface Establishment {
  finess: string;
  name: string | null;
  orgs: OrgRec[];
  zone: number;
  timezone: string;
  organisation: string | null;
  organisationName: string | null;
  accompaniedInPeriod: Set<string>;
  accompaniedInYear: Set<string>;
  counters: OrgCounters;
  mssanteByAgent: number;
  dmpPersons: Set<string>;
}

interface Person {
  id: string;
  records: string[];
  updated: number;
  event: number;
  pp: number;
  ppOnHold: number;
  ppOther: boolean;
  sejours: { establishment: Establishment; start: number; end: number }[];
}

class Findings {
  readonly errors: DataQualityFinding[] = [];
  readonly warnings: DataQualityFinding[] = [];
}

/** Resolves everything that needs the whole input, then computes every figure. */
export function finalize(acc: Accumulator): Computation {
  const findings = new Findings();
  for (const p of acc.problems) {
    findings.errors.push({ code: p.code, resourceType: p.resourceType, id: p.id, message: p.message });
  }

  // 1. Organisations and their aliases.
  const orgByAlias = new Map<string, OrgRec>();
  // Sorted so that the result never depends on input order (nor on how threads shared the input out).
  const organisations = [...acc.organisations].sort((a, b) => compareText(a.key, b.key));
  const orgRecs = organisations.map((fact): OrgRec => {
    const rec: OrgRec = { fact, finess: fact.fineg ?? fact.finess ?? fact.finej };
    for (const key of [fact.key, ...fact.aliases]) if (!orgByAlias.has(key)) orgByAlias.set(key, rec);
    return rec;
  });

  // 2. Patients, aliases and persons (links, then INS).
  const { byAlias: patientByAlias, ambiguous: ambiguousAliases } = buildPatientAliases(acc);
  const resolvePatient = (key: string): string | null =>
    acc.patients.has(key) ? key : (patientByAlias.get(key) ?? null);
  const persons = mergePersons(acc, resolvePatient, findings);
  restoreSamePersonAliases(patientByAlias, ambiguousAliases, persons);

  // 3. Séjours: which candidates really are séjours (an Encounter whose partOf is a séjour is an event).
  const sejourByAlias = new Map<string, SejourRec>();
  // In key order, like organisations: an alias shared by two records resolves the same way every time.
  acc.sejours.sort((a, b) => compareText(a.fact.key, b.fact.key));
  for (const s of acc.sejours) {
    for (const key of [s.fact.key, ...s.fact.aliases]) if (!sejourByAlias.has(key)) sejourByAlias.set(key, s);
  }
  const isSejour = sejourClassifier(sejourByAlias);

  // 4. Which ESSMS are reported: a well-formed FINESS, and the provider of a séjour or a FINESS géographique.
  const providers = new Set<OrgRec>();
  for (const s of acc.sejours) {
    if (!isSejour(s) || s.fact.provider === null) continue;
    const org = orgByAlias.get(s.fact.provider);
    if (org) providers.add(org);
  }
  const establishments = buildEstablishments(acc, orgRecs, providers, orgByAlias, findings);
  const establishmentOfOrg = new Map<OrgRec, Establishment>();
  for (const e of establishments.values()) for (const o of e.orgs) establishmentOfOrg.set(o, e);
  const establishmentOf = (key: string | null): Establishment | null => {
    if (key === null) return null;
    const org = orgByAlias.get(key);
    return org ? (establishmentOfOrg.get(org) ?? null) : null;
  };

  // 5. Person state, merged over every key that reaches the same person.
  const personOf = (key: string): Person | null => {
    const patient = resolvePatient(key);
    return patient === null ? null : (persons.get(patient) ?? null);
  };
  const unknownSubjects = new Set<string>();
  for (const [key, state] of acc.persons) {
    const person = personOf(key);
    if (person === null) {
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
      continue;
    }
    mergePersonState(person, state);
  }

  // 6. Séjours into persons; candidates demoted to events count as events.
  for (const s of acc.sejours) {
    if (!isSejour(s)) {
      addDemotedEvent(acc, s, personOf, findings);
      continue;
    }
    placeSejour(s, personOf, establishmentOf, findings);
  }

  // 7. Events recognised through partOf, and DMP feeds attributed through agent.who.
  for (const [key, state] of acc.persons) {
    const person = personOf(key);
    if (person === null) continue;
    if (state.eventByPartOf) {
      for (const [target, mask] of state.eventByPartOf) {
        const s = sejourByAlias.get(target);
        if (s && isSejour(s)) person.event |= mask;
      }
    }
    if (state.dmpByOrg) {
      for (const [orgKey, mask] of state.dmpByOrg) {
        // An organisation that is not a reported ESSMS is reported with the counters below.
        const e = establishmentOf(orgKey);
        if (e !== null && mask & (1 << e.zone)) e.dmpPersons.add(person.id);
      }
    }
  }

  // 8. Usage counters named by agent.who.
  for (const [orgKey, counters] of acc.orgCounters) {
    const e = establishmentOf(orgKey);
    if (e === null) {
      for (const record of counters.records) {
        findings.errors.push({
          code: 'unattributed-event',
          resourceType: 'AuditEvent',
          id: idOf(record),
          message: 'agent.who names an organisation that is not a reported ESSMS',
        });
      }
      if (counters.total > counters.records.length) {
        findings.errors.push({
          code: 'unattributed-event',
          resourceType: 'AuditEvent',
          id: '(more)',
          count: counters.total - counters.records.length,
          message: `${counters.total - counters.records.length} more usage events name the same organisation`,
        });
      }
      continue;
    }
    addCounters(e, counters, acc.grid.months.length);
    e.mssanteByAgent += counters.mssante[e.zone]!;
  }

  // 9. Usage events without agent.who: the ESSMS where the person was accompanied at that instant.
  for (const u of acc.pendingUsage) {
    // An untyped agent.who (`urn:uuid:`) that names an Organization is that organisation, as a typed one is.
    const namedOrg = u.org === undefined ? undefined : orgByAlias.get(u.org);
    if (namedOrg !== undefined) {
      attributeNamedUsage(acc, u, establishmentOfOrg.get(namedOrg) ?? null, personOf, findings);
      continue;
    }
    if (u.subject === null) {
      findings.errors.push({
        code: 'unattributed-event',
        resourceType: 'AuditEvent',
        id: idOf(u.record),
        message: `${u.kind} names neither an ESSMS (agent.who) nor a person (entity.what)`,
      });
      continue;
    }
    const person = personOf(u.subject);
    if (person === null) continue; // already reported as unknown-subject
    const candidates = new Set<Establishment>();
    for (const s of person.sejours) {
      const at = resolveInstant(u.at, s.establishment.timezone);
      if (at >= s.start && at <= s.end) candidates.add(s.establishment);
    }
    if (candidates.size !== 1) {
      findings.errors.push({
        code: 'unattributed-event',
        resourceType: 'AuditEvent',
        id: idOf(u.record),
        message:
          candidates.size === 0
            ? `${u.kind} has no agent.who and the person had no séjour at that instant`
            : `${u.kind} has no agent.who and the person was accompanied by ${candidates.size} ESSMS at that instant`,
      });
      continue;
    }
    const [e] = candidates as unknown as [Establishment];
    if (u.kind === 'dmp-document-fed') {
      if (maskInPeriod(acc.grid, u.at) & (1 << e.zone)) e.dmpPersons.add(person.id);
    } else {
      countUsage(acc.grid, e.counters, u.kind, u.at, e.zone);
    }
  }

  // 10. Who is accompanied, per ESSMS, in P and in the calendar year.
  for (const person of persons.values()) {
    for (const s of person.sejours) {
      const e = s.establishment;
      const zone = acc.grid.zones[e.zone]!;
      if (s.start < zone.end && s.end >= zone.start) e.accompaniedInPeriod.add(person.id);
      if (s.start < zone.yearEnd && s.end >= zone.yearStart) e.accompaniedInYear.add(person.id);
    }
  }

  return buildResults(acc, establishments, persons, findings);
}

/** A usage event whose untyped agent.who resolved to an Organization: counted there, as if it were typed. */
function attributeNamedUsage(
  acc: Accumulator,
  u: PendingUsage,
  e: Establishment | null,
  personOf: (key: string) => Person | null,
  findings: Findings,
): void {
  if (e === null) {
    findings.errors.push({
      code: 'unattributed-event',
      resourceType: 'AuditEvent',
      id: idOf(u.record),
      message: 'agent.who names an organisation that is not a reported ESSMS',
    });
    return;
  }
  if (u.kind === 'dmp-document-fed') {
    const person = u.subject === null ? null : personOf(u.subject);
    if (person !== null && maskInPeriod(acc.grid, u.at) & (1 << e.zone)) e.dmpPersons.add(person.id);
    return;
  }
  const before = e.counters.mssante[e.zone]!;
  countUsage(acc.grid, e.counters, u.kind, u.at, e.zone);
  e.mssanteByAgent += e.counters.mssante[e.zone]! - before;
}

function buildPatientAliases(acc: Accumulator): {
  byAlias: Map<string, string>;
  ambiguous: Map<string, Set<string>>;
} {
  const byAlias = new Map<string, string>();
  const ambiguous = new Map<string, Set<string>>();
  for (const patient of acc.patients.values()) {
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
  persons: Map<string, Person>,
): void {
  for (const [alias, claimants] of ambiguous) {
    const keys = [...claimants].sort();
    const person = persons.get(keys[0]!);
    if (person !== undefined && keys.every((k) => persons.get(k) === person)) byAlias.set(alias, keys[0]!);
  }
}

function mergePersons(
  acc: Accumulator,
  resolvePatient: (key: string) => string | null,
  findings: Findings,
): Map<string, Person> {
  const linked = new UnionFind();
  for (const patient of acc.patients.values()) {
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
  for (const patient of acc.patients.values()) merged.union(patient.key, linked.find(patient.key));
  const firstByIns = new Map<string, string>();
  // Link groups already seen per INS: a record whose group (records joined by Patient.link) already shares
  // the INS is not a new duplicate. Comparing only with the first record made the number of warnings depend
  // on how records are named (p0, p3→p7 sharing one INS gave 2 warnings, or 1 once pseudonymised).
  const groupsByIns = new Map<string, Set<string>>();
  const sortedPatients = [...acc.patients.keys()].sort();
  for (const key of sortedPatients) {
    for (const ins of acc.patients.get(key)!.ins) {
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
          message: `shares its INS with Patient/${idOf(first)} without a Patient.link: merged as one person (the DUI should merge them)`,
        });
      }
      merged.union(first, key);
    }
  }
  const persons = new Map<string, Person>();
  const byRoot = new Map<string, Person>();
  for (const key of sortedPatients) {
    const root = merged.find(key);
    let person = byRoot.get(root);
    if (person === undefined) {
      person = {
        id: root,
        records: [],
        updated: 0,
        event: 0,
        pp: 0,
        ppOnHold: 0,
        ppOther: false,
        sejours: [],
      };
      byRoot.set(root, person);
    }
    person.records.push(key);
    persons.set(key, person);
  }
  return persons;
}

function mergePersonState(person: Person, state: PersonAcc): void {
  person.updated |= state.updated;
  person.event |= state.event;
  person.pp |= state.pp;
  person.ppOnHold |= state.ppOnHold;
  person.ppOther ||= state.ppOther;
}

/** A candidate is a séjour unless its `partOf` is itself a séjour (chains resolved with a depth guard). */
function sejourClassifier(byAlias: Map<string, SejourRec>): (s: SejourRec) => boolean {
  const memo = new Map<SejourRec, boolean>();
  const classify = (s: SejourRec, depth: number): boolean => {
    const known = memo.get(s);
    if (known !== undefined) return known;
    let result = true;
    if (s.fact.partOf !== null && depth < 32) {
      const parent = byAlias.get(s.fact.partOf);
      if (parent !== undefined && parent !== s) result = !classify(parent, depth + 1);
    }
    memo.set(s, result);
    return result;
  };
  return (s) => classify(s, 0);
}

function buildEstablishments(
  acc: Accumulator,
  orgRecs: OrgRec[],
  providers: Set<OrgRec>,
  orgByAlias: Map<string, OrgRec>,
  findings: Findings,
): Map<string, Establishment> {
  const establishments = new Map<string, Establishment>();
  const checked = new Set<string>();
  for (const org of orgRecs) {
    const isCandidate = providers.has(org) || org.fact.fineg !== null;
    if (!isCandidate || org.finess === null) continue;
    const check = checkFiness(org.finess);
    const id = idOf(org.fact.key);
    if (check.problem === 'format') {
      findings.errors.push({
        code: 'finess-format',
        resourceType: 'Organization',
        id,
        finess: check.value,
        message:
          'FINESS number is not 9 characters (2 department characters, then 7 digits): establishment excluded',
      });
      continue;
    }
    if (check.problem === 'key' && !checked.has(check.value)) {
      checked.add(check.value);
      const strict = acc.options.finessMode === 'strict';
      (strict ? findings.errors : findings.warnings).push({
        code: 'finess-key',
        resourceType: 'Organization',
        id,
        finess: check.value,
        message: strict
          ? 'FINESS key (Luhn) check fails: establishment excluded (strict mode)'
          : 'FINESS key (Luhn) check fails: kept (lenient mode)',
      });
    }
    if (check.problem === 'key' && acc.options.finessMode === 'strict') continue;
    let e = establishments.get(check.value);
    if (e === undefined) {
      const override = acc.options.timezoneOverrides[check.value];
      const derived = timezoneForFiness(check.value);
      const timezone = override ?? derived.timezone;
      if (override === undefined && derived.unknown) {
        findings.warnings.push({
          code: 'timezone-unknown',
          finess: check.value,
          message:
            'overseas FINESS of an unknown territory: period computed in Europe/Paris (set a time zone override)',
        });
      }
      e = {
        finess: check.value,
        name: org.fact.name,
        orgs: [],
        zone: acc.grid.timezones.indexOf(timezone),
        timezone,
        organisation: null,
        organisationName: null,
        accompaniedInPeriod: new Set(),
        accompaniedInYear: new Set(),
        counters: new OrgCounters(acc.grid.timezones.length, acc.grid.months.length),
        mssanteByAgent: 0,
        dmpPersons: new Set(),
      };
      establishments.set(check.value, e);
    }
    e.orgs.push(org);
    e.name ??= org.fact.name;
    if (e.organisation === null) {
      const og = organisationOf(org, orgByAlias);
      e.organisation = og?.finess ?? null;
      e.organisationName = og?.name ?? null;
    }
  }
  return establishments;
}

/** The organisme gestionnaire: `partOf`'s FINESS (and name), else the ESSMS's own FINEJ. */
function organisationOf(
  org: OrgRec,
  orgByAlias: Map<string, OrgRec>,
): { finess: string; name: string | null } | null {
  const partOf = org.fact.partOf;
  const parent = partOf === null ? undefined : orgByAlias.get(partOf);
  // A `partOf` by FINESS identifier names the organisme gestionnaire's number even when its Organization
  // is not in the input: that is read from the reference, not guessed.
  const named = partOf?.startsWith('finess:') ? partOf.slice('finess:'.length) : null;
  const candidate = parent
    ? (parent.fact.finej ?? parent.fact.finess ?? parent.fact.fineg)
    : (named ?? org.fact.finej);
  if (candidate === null) return null;
  const check = checkFiness(candidate);
  return check.problem === 'format' ? null : { finess: check.value, name: parent?.fact.name ?? null };
}

function placeSejour(
  s: SejourRec,
  personOf: (key: string) => Person | null,
  establishmentOf: (key: string | null) => Establishment | null,
  findings: Findings,
): void {
  const f = s.fact;
  const excluded = f.resourceType === 'EpisodeOfCare' ? EXCLUDED_EPISODE_STATUSES : EXCLUDED_SEJOUR_STATUSES;
  if (f.status !== null && excluded.has(f.status)) return;
  const finding = (code: DataQualityFinding['code'], message: string): void => {
    findings.errors.push({ code, resourceType: f.resourceType, id: idOf(f.key), message });
  };
  if (f.subject === null) return finding('unknown-subject', 'séjour without a person (subject/patient)');
  const person = personOf(f.subject);
  // Séjour facts never register their subject in the accumulator's per-person state (only events,
  // updates, projets personnalisés and usage events do), so an unresolvable subject must be reported here:
  // data-model.md "a reference to a record that is not in the input is reported (unknown-subject)".
  if (person === null)
    return finding('unknown-subject', 'refers to a person whose Patient record is not in the input');
  const establishment = establishmentOf(f.provider);
  if (establishment === null) {
    return finding(
      'unknown-establishment',
      f.provider === null
        ? 'séjour without an establishment (serviceProvider/managingOrganization)'
        : 'séjour provider is not an Organization with a usable FINESS in the input',
    );
  }
  if (Number.isNaN(s.start)) return finding('period-missing', 'séjour has no start date: not counted');
  const start = resolveInstant(s.start, establishment.timezone);
  const end = Number.isNaN(s.end) ? Number.POSITIVE_INFINITY : resolveInstant(s.end, establishment.timezone);
  if (end < start) return finding('period-inverted', 'séjour ends before it starts: not counted');
  person.sejours.push({ establishment, start, end });
}

function addDemotedEvent(
  acc: Accumulator,
  s: SejourRec,
  personOf: (key: string) => Person | null,
  findings: Findings,
): void {
  const f = s.fact;
  if (f.subject === null) {
    findings.errors.push({
      code: 'unknown-subject',
      resourceType: f.resourceType,
      id: idOf(f.key),
      message: 'agenda event without a person',
    });
    return;
  }
  const person = personOf(f.subject);
  if (person === null) {
    // As in placeSejour: this record's subject was never registered as pending, so report it here.
    findings.errors.push({
      code: 'unknown-subject',
      resourceType: f.resourceType,
      id: idOf(f.key),
      message: 'refers to a person whose Patient record is not in the input',
    });
    return;
  }
  if (f.start === null || !acc.eventStatusCounts(f.status)) return;
  person.event |= maskInPeriod(acc.grid, s.start);
}

function addCounters(e: Establishment, c: OrgCounters, months: number): void {
  const z = e.zone;
  e.counters.mssante[z]! += c.mssante[z]!;
  e.counters.eParcours[z]! += c.eParcours[z]!;
  e.counters.eParcoursSinceStart[z]! += c.eParcoursSinceStart[z]!;
  for (let m = 0; m < months; m++)
    e.counters.ePrescriptions[z * months + m]! += c.ePrescriptions[z * months + m]!;
}

function rate(numerator: number, denominator: number, target: number): RateResult {
  if (denominator === 0) return { numerator, denominator, rate: null, target, met: false };
  return {
    numerator,
    denominator,
    rate: Math.round((1000 * numerator) / denominator) / 10,
    target,
    // Exact comparison on integers: 89.96 % is not met even though it displays as 90.0.
    met: numerator * 100 >= target * denominator,
  };
}

function buildResults(
  acc: Accumulator,
  establishments: Map<string, Establishment>,
  persons: Map<string, Person>,
  findings: Findings,
): Computation {
  const grid = acc.grid;
  const scope = acc.options.denominatorScope;
  const uniquePersons = new Map<string, Person>();
  for (const p of persons.values()) uniquePersons.set(p.id, p);

  const results: EstablishmentResult[] = [];
  const subjects: SubjectLists = [];
  const sorted = [...establishments.values()].sort((a, b) =>
    a.finess < b.finess ? -1 : a.finess > b.finess ? 1 : 0,
  );
  for (const e of sorted) {
    const bit = 1 << e.zone;
    const inPeriod = sortedIds(e.accompaniedInPeriod);
    const denominator = scope === 'period' ? inPeriod : sortedIds(e.accompaniedInYear);
    const get = (id: string): Person => uniquePersons.get(id)!;
    const active = inPeriod.filter((id) => get(id).updated & bit);
    const withPp = active.filter((id) => get(id).pp & bit);
    const withEvent = active.filter((id) => get(id).event & bit);
    const withDmp = inPeriod.filter((id) => e.dmpPersons.has(id));
    const mssante = e.counters.mssante[e.zone]!;
    const months = grid.months.length;
    const byMonth: Record<string, number> = {};
    let ePrescriptionTotal = 0;
    grid.months.forEach((month, m) => {
      const n = e.counters.ePrescriptions[e.zone * months + m]!;
      byMonth[month] = n;
      ePrescriptionTotal += n;
    });
    const indicators: IndicatorResults = {
      'taux-dossiers-actifs': rate(active.length, denominator.length, TARGETS['taux-dossiers-actifs']),
      'taux-projet-personnalise': rate(withPp.length, active.length, TARGETS['taux-projet-personnalise']),
      'taux-evenement-agenda': rate(withEvent.length, active.length, TARGETS['taux-evenement-agenda']),
      'taux-mssante': rate(mssante, denominator.length, TARGETS['taux-mssante']),
      'taux-dmp': rate(withDmp.length, denominator.length, TARGETS['taux-dmp']),
      'e-prescriptions-importees': { total: ePrescriptionTotal, byMonth },
      'echanges-e-parcours': {
        total: e.counters.eParcours[e.zone]!,
        sinceProjectStart:
          acc.options.projectStartDate === null ? null : e.counters.eParcoursSinceStart[e.zone]!,
      },
    };
    if (denominator.length === 0) {
      findings.warnings.push({
        code: 'empty-denominator',
        finess: e.finess,
        message: 'no person accompanied in the period: rates are null and targets not met',
      });
    } else if (active.length === 0) {
      // The denominator of the projet personnalisé and agenda rates is the active dossiers.
      findings.warnings.push({
        code: 'empty-denominator',
        finess: e.finess,
        message:
          'no active dossier (no dossier updated in the period): taux-projet-personnalise and taux-evenement-agenda are null and not met',
      });
    }
    const va = vaCheck(indicators);
    results.push({
      finess: e.finess,
      organisation: e.organisation,
      name: e.name,
      timezone: e.timezone,
      period: { start: grid.localStart, end: grid.localEnd },
      indicators,
      dossiersActifs: active.length,
      fileActive: e.accompaniedInYear.size,
      vaReady: va === null,
      vaReason: va,
    });
    subjects.push(
      explainEstablishment(e, bit, inPeriod, denominator, active, withPp, withEvent, withDmp, get, scope),
    );
  }

  const historyMissing = Math.max(0, ...sorted.map((e) => acc.updatedAfterPeriod[e.zone]!));
  if (historyMissing > 0) {
    findings.warnings.push({
      code: 'history-missing',
      count: historyMissing,
      message: `${historyMissing} records about persons were last updated after the end of the period: without their history as AuditEvents, an update in the period that was overwritten later is missed`,
    });
  }

  findings.errors.sort(compareFindings);
  findings.warnings.sort(compareFindings);
  return {
    results: {
      measureDate: grid.measureDate,
      denominatorScope: scope,
      establishments: results,
      organisations: rollUp(results, organisationNames(sorted)),
      dataQuality: { errors: findings.errors, warnings: findings.warnings },
    },
    subjects,
  };
}

function sortedIds(set: Set<string>): string[] {
  return [...set].sort();
}

/** SONS Vérification d'Aptitude: the three DUI indicators are provided and non-zero. */
function vaCheck(indicators: IndicatorResults): string | null {
  const problems: string[] = [];
  for (const id of ['taux-dossiers-actifs', 'taux-projet-personnalise', 'taux-evenement-agenda'] as const) {
    const r = indicators[id];
    if (r.rate === null) problems.push(`${id} not provided (empty denominator)`);
    else if (r.numerator === 0) problems.push(`${id} is zero`);
  }
  return problems.length === 0 ? null : problems.join('; ');
}

function explainEstablishment(
  e: Establishment,
  bit: number,
  inPeriod: string[],
  denominator: string[],
  active: string[],
  withPp: string[],
  withEvent: string[],
  withDmp: string[],
  get: (id: string) => Person,
  scope: 'period' | 'calendar-year',
): EstablishmentExplanation {
  const inPeriodSet = new Set(inPeriod);
  const explain = (
    denom: string[],
    numer: string[],
    reason: (id: string) => ExclusionReason,
  ): IndicatorExplanation => {
    const numerSet = new Set(numer);
    return {
      denominator: denom,
      numerator: numer,
      outOfNumerator: denom
        .filter((id) => !numerSet.has(id))
        .map((person) => ({ person, reason: reason(person) })),
    };
  };
  const notInPeriod = (id: string): ExclusionReason | null =>
    scope === 'calendar-year' && !inPeriodSet.has(id) ? 'not-accompanied-in-period' : null;
  return {
    finess: e.finess,
    persons: inPeriod.map((id) => ({ person: id, records: get(id).records })),
    indicators: {
      'taux-dossiers-actifs': explain(denominator, active, (id) => notInPeriod(id) ?? 'no-update-in-period'),
      'taux-projet-personnalise': explain(active, withPp, (id) => {
        const p = get(id);
        if (p.ppOnHold & bit) return 'projet-personnalise-on-hold';
        return p.ppOther ? 'projet-personnalise-not-current' : 'no-projet-personnalise';
      }),
      'taux-evenement-agenda': explain(active, withEvent, () => 'no-event-in-period'),
      'taux-mssante': {
        denominator,
        numerator: [],
        outOfNumerator: [],
        counted: { byAgent: e.mssanteByAgent, bySejour: e.counters.mssante[e.zone]! - e.mssanteByAgent },
      },
      'taux-dmp': explain(denominator, withDmp, (id) => notInPeriod(id) ?? 'no-dmp-document-in-period'),
    },
  };
}

function organisationNames(establishments: Establishment[]): Map<string, string> {
  const names = new Map<string, string>();
  for (const e of establishments) {
    if (e.organisation !== null && e.organisationName !== null && !names.has(e.organisation)) {
      names.set(e.organisation, e.organisationName);
    }
  }
  return names;
}

function rollUp(establishments: EstablishmentResult[], names: Map<string, string>): OrganisationResult[] {
  const byOrganisation = new Map<string, EstablishmentResult[]>();
  for (const e of establishments) {
    if (e.organisation === null) continue;
    const list = byOrganisation.get(e.organisation) ?? [];
    list.push(e);
    byOrganisation.set(e.organisation, list);
  }
  return [...byOrganisation.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([finess, list]): OrganisationResult => {
      const sum = (f: (e: EstablishmentResult) => number): number => list.reduce((acc, e) => acc + f(e), 0);
      const rates = Object.fromEntries(
        RATE_INDICATOR_IDS.map((id: RateIndicatorId) => [
          id,
          rate(
            sum((e) => e.indicators[id].numerator),
            sum((e) => e.indicators[id].denominator),
            TARGETS[id],
          ),
        ]),
      ) as Pick<IndicatorResults, RateIndicatorId>;
      const byMonth: Record<string, number> = {};
      for (const e of list) {
        for (const [month, n] of Object.entries(e.indicators['e-prescriptions-importees'].byMonth)) {
          byMonth[month] = (byMonth[month] ?? 0) + n;
        }
      }
      const since = list.map((e) => e.indicators['echanges-e-parcours'].sinceProjectStart);
      return {
        finess,
        name: names.get(finess) ?? null,
        establishments: list.map((e) => e.finess),
        indicators: {
          ...rates,
          'e-prescriptions-importees': {
            total: sum((e) => e.indicators['e-prescriptions-importees'].total),
            byMonth,
          },
          'echanges-e-parcours': {
            total: sum((e) => e.indicators['echanges-e-parcours'].total),
            sinceProjectStart: since.some((s) => s === null)
              ? null
              : since.reduce<number>((a, s) => a + (s ?? 0), 0),
          },
        },
        dossiersActifs: sum((e) => e.dossiersActifs),
        fileActive: sum((e) => e.fileActive),
      };
    });
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Data-quality findings in a stable order: by code, then record type, id and message. */
function compareFindings(a: DataQualityFinding, b: DataQualityFinding): number {
  return (
    compareText(a.code, b.code) ||
    compareText(a.resourceType ?? '', b.resourceType ?? '') ||
    compareText(a.id ?? a.finess ?? '', b.id ?? b.finess ?? '') ||
    compareText(a.message, b.message)
  );
}
