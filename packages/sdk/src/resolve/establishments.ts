/**
 * indicators.md "Vocabulary" → ESSMS and "Which ESSMS are reported": every Organization with a
 * well-formed FINESS that is the `serviceProvider` of a séjour, or that carries a FINESS géographique
 * (`FINEG`), even with nobody accompanied. It is reported under its FINESS géographique, in the time zone
 * of its FINESS (or `timezoneOverrides`), with its organisme gestionnaire (`partOf`, else its own FINESS
 * juridique). "Data quality": an invalid FINESS format excludes it (error); a failing key is a warning,
 * an error that excludes it in strict mode; an overseas number of no known territory is in Europe/Paris
 * with a `timezone-unknown` warning.
 *
 * Read as records stream past (`organisationFact`); decided once everything is read.
 */
import { OrgCounters, type Accumulator } from '../accumulator.js';
import type { Findings } from '../data-quality.js';
import type { OrganisationFact } from '../facts.js';
import { compareText } from '../order.js';
import { str, type IdentifierJson, type Json, typeCodes } from '../read/fhir-json.js';
import { identifierKey, idOf, referenceKey } from '../read/references.js';
import { checkFiness, timezoneForFiness } from '../vocabulary/finess.js';
import { zoneIndex } from '../vocabulary/period.js';
import {
  FINESS_TYPE_GEOGRAPHIQUE,
  FINESS_TYPE_JURIDIQUE,
  IDENTIFIER_SYSTEMS,
} from '../vocabulary/systems.js';

// ---- Streaming: what is read from an Organization ---------------------------------------------------

/** An Organization's keys (every identifier is an alias), FINESS numbers by type, `partOf` and name. */
export function organisationFact(resource: Json, key: string, aliases: string[]): OrganisationFact {
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
  return {
    k: 'organisation',
    key,
    aliases,
    fineg,
    finej,
    finess,
    partOf: referenceKey(resource.partOf),
    name: str(resource.name),
  };
}

// ---- Once everything is read ------------------------------------------------------------------------

export interface OrgRec {
  fact: OrganisationFact;
  /** The FINESS under which it would be reported (géographique first). */
  finess: string | null;
}

/** Every Organization, and the one each key names (the first in key order when two claim a key). */
export interface Organisations {
  readonly all: readonly OrgRec[];
  readonly byAlias: ReadonlyMap<string, OrgRec>;
}

export function indexOrganisations(facts: readonly OrganisationFact[]): Organisations {
  const byAlias = new Map<string, OrgRec>();
  // Sorted so that the result never depends on input order (nor on how threads shared the input out).
  const all = [...facts]
    .sort((a, b) => compareText(a.key, b.key))
    .map((fact): OrgRec => {
      const rec: OrgRec = { fact, finess: fact.fineg ?? fact.finess ?? fact.finej };
      for (const key of [fact.key, ...fact.aliases]) if (!byAlias.has(key)) byAlias.set(key, rec);
      return rec;
    });
  return { all, byAlias };
}

/** A reported ESSMS, and what the rules count for it once everything is read. */
export interface Establishment {
  finess: string;
  name: string | null;
  orgs: OrgRec[];
  /** Its zone in the period grid (its bit in every `ZoneSet`). */
  zone: number;
  timezone: string;
  organisation: string | null;
  organisationName: string | null;
  /** rules/accompanied.ts */
  accompaniedInPeriod: Set<string>;
  accompaniedInYear: Set<string>;
  /** Usage events attributed to it (resolve/attribution.ts), in the rules of their kinds. */
  counters: OrgCounters;
  /** rules/mssante.ts: how many of its messages named it by `agent.who`. */
  mssanteByAgent: number;
  /** rules/dmp.ts: persons with a document fed to their DMP by it in P. */
  dmpPersons: Set<string>;
}

export interface Establishments {
  /** By FINESS, sorted by FINESS. */
  readonly sorted: readonly Establishment[];
  /** The ESSMS an Organization is reported under, or `null`. */
  readonly ofOrg: (org: OrgRec) => Establishment | null;
  /** The ESSMS a reference key names, or `null`. */
  readonly of: (key: string | null) => Establishment | null;
}

/** The reported ESSMS: the candidates (séjour providers, FINESS géographique) with a usable FINESS. */
export function resolveEstablishments(
  acc: Accumulator,
  organisations: Organisations,
  providers: ReadonlySet<OrgRec>,
  findings: Findings,
): Establishments {
  const byFiness = new Map<string, Establishment>();
  const checked = new Set<string>();
  const strict = acc.options.finessMode === 'strict';
  for (const org of organisations.all) {
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
    if (check.problem === 'key' && strict) continue;
    let e = byFiness.get(check.value);
    if (e === undefined) {
      e = newEstablishment(acc, check.value, org, findings);
      byFiness.set(check.value, e);
    }
    e.orgs.push(org);
    e.name ??= org.fact.name;
    if (e.organisation === null) {
      const og = organisationOf(org, organisations.byAlias);
      e.organisation = og?.finess ?? null;
      e.organisationName = og?.name ?? null;
    }
  }
  const ofOrg = new Map<OrgRec, Establishment>();
  for (const e of byFiness.values()) for (const o of e.orgs) ofOrg.set(o, e);
  return {
    sorted: [...byFiness.values()].sort((a, b) => compareText(a.finess, b.finess)),
    ofOrg: (org) => ofOrg.get(org) ?? null,
    of: (key) => {
      if (key === null) return null;
      const org = organisations.byAlias.get(key);
      return org ? (ofOrg.get(org) ?? null) : null;
    },
  };
}

function newEstablishment(acc: Accumulator, finess: string, org: OrgRec, findings: Findings): Establishment {
  const override = acc.options.timezoneOverrides[finess];
  const derived = timezoneForFiness(finess);
  const timezone = override ?? derived.timezone;
  if (override === undefined && derived.unknown) {
    findings.warnings.push({
      code: 'timezone-unknown',
      finess,
      message:
        'overseas FINESS of an unknown territory: period computed in Europe/Paris (set a time zone override)',
    });
  }
  return {
    finess,
    name: org.fact.name,
    orgs: [],
    zone: zoneIndex(acc.grid, timezone),
    timezone,
    organisation: null,
    organisationName: null,
    accompaniedInPeriod: new Set(),
    accompaniedInYear: new Set(),
    counters: new OrgCounters(acc.grid.timezones.length, acc.grid.months.length),
    mssanteByAgent: 0,
    dmpPersons: new Set(),
  };
}

/** The organisme gestionnaire: `partOf`'s FINESS (and name), else the ESSMS's own FINEJ. */
function organisationOf(
  org: OrgRec,
  orgByAlias: ReadonlyMap<string, OrgRec>,
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
