/**
 * data-model.md "Usage events" → `agent[].who`: which ESSMS a usage event is attributed to, decided once
 * everything is read. An event names its ESSMS by `agent.who` (an Organization, a FINESS identifier, or an
 * untyped `urn:uuid:` that resolves to an Organization); when it names an organisation that is not a
 * reported ESSMS, or two, it is `unattributed-event` (no fallback). Without `agent.who` (or with an untyped
 * one naming something else, a Practitioner), it is attributed to the ESSMS where the person was
 * accompanied at that instant: exactly one; otherwise `unattributed-event`. This file decides only where
 * an event is; what it counts there is the rule of its kind (rules/mssante.ts, dmp.ts, e-prescriptions.ts,
 * e-parcours.ts, through `USAGE_RULES`).
 */
import type { Accumulator, OrgCounters } from '../accumulator.js';
import type { Findings } from '../data-quality.js';
import { idOf } from '../read/references.js';
import { namesNeitherEssmsNorPerson, USAGE_RULES, type PendingUsage } from '../rules/usage-event.js';
import { resolveInstant } from '../vocabulary/time.js';
import type { Establishment, Establishments, Organisations } from './establishments.js';
import type { Person, Persons } from './persons.js';

const NOT_AN_ESSMS = 'agent.who names an organisation that is not a reported ESSMS';

/** Attributes every usage event: those named by `agent.who`, then those through the person's séjours. */
export function attributeUsage(
  acc: Accumulator,
  organisations: Organisations,
  establishments: Establishments,
  persons: Persons,
  findings: Findings,
): void {
  // A rule that counts persons (DMP) kept the events named by agent.who per person, not per organisation.
  for (const rule of Object.values(USAGE_RULES)) {
    const perPerson = rule.perPerson;
    if (perPerson === undefined) continue;
    for (const person of persons.byId.values()) perPerson.addNamedOfPerson(person, establishments.of);
  }
  for (const [orgKey, counters] of acc.orgCounters)
    attributeNamed(acc, orgKey, counters, establishments, findings);
  for (const u of acc.pendingUsage) {
    if (u.orgs !== undefined) {
      attributeToOneOf(acc, u, u.orgs, establishments, persons, findings);
      continue;
    }
    // An untyped agent.who (`urn:uuid:`) that names an Organization is that organisation, as a typed one is.
    const namedOrg = u.org === undefined ? undefined : organisations.byAlias.get(u.org);
    if (namedOrg !== undefined) attributeUntyped(acc, u, establishments.ofOrg(namedOrg), persons, findings);
    else attributeThroughSejours(acc, u, persons, findings);
  }
}

/** The counters of an organisation key named by `agent.who`, added to its ESSMS in the ESSMS's zone. */
function attributeNamed(
  acc: Accumulator,
  orgKey: string,
  counters: OrgCounters,
  establishments: Establishments,
  findings: Findings,
): void {
  const e = establishments.of(orgKey);
  if (e === null) {
    for (const record of counters.records) {
      findings.errors.push({
        code: 'unattributed-event',
        resourceType: 'AuditEvent',
        id: idOf(record),
        message: NOT_AN_ESSMS,
      });
    }
    const more = counters.total - counters.records.length;
    if (more > 0) {
      findings.errors.push({
        code: 'unattributed-event',
        resourceType: 'AuditEvent',
        id: '(more)',
        count: more,
        message: `${more} more usage events name the same organisation`,
      });
    }
    return;
  }
  for (const rule of Object.values(USAGE_RULES)) rule.addNamed(acc.grid, e, counters);
}

/**
 * A usage event whose agents name several organisations: counted at the one reported ESSMS among them
 * (the others, such as its organisme gestionnaire, are not ESSMS); two different ESSMS make it
 * `unattributed-event` (data-model.md), as does none.
 */
function attributeToOneOf(
  acc: Accumulator,
  u: PendingUsage,
  orgKeys: readonly string[],
  establishments: Establishments,
  persons: Persons,
  findings: Findings,
): void {
  const named = new Set<Establishment>();
  for (const key of orgKeys) {
    const e = establishments.of(key);
    if (e !== null) named.add(e);
  }
  if (named.size > 1) {
    findings.errors.push({
      code: 'unattributed-event',
      resourceType: 'AuditEvent',
      id: idOf(u.record),
      message: `agent.who names ${named.size} different ESSMS`,
    });
    return;
  }
  const [e] = [...named];
  attributeUntyped(acc, u, e ?? null, persons, findings);
}

/** A usage event whose untyped agent.who resolved to an Organization: counted there, as if it were typed. */
function attributeUntyped(
  acc: Accumulator,
  u: PendingUsage,
  e: Establishment | null,
  persons: Persons,
  findings: Findings,
): void {
  if (e === null) {
    findings.errors.push({
      code: 'unattributed-event',
      resourceType: 'AuditEvent',
      id: idOf(u.record),
      message: NOT_AN_ESSMS,
    });
    return;
  }
  const person = u.subject === null ? null : persons.personOf(u.subject);
  USAGE_RULES[u.kind].countAttributed(acc.grid, e, person, u.at, true);
}

/** A usage event without `agent.who`: the one ESSMS where the person was accompanied at that instant. */
function attributeThroughSejours(
  acc: Accumulator,
  u: PendingUsage,
  persons: Persons,
  findings: Findings,
): void {
  const unattributed = (message: string): void => {
    findings.errors.push({
      code: 'unattributed-event',
      resourceType: 'AuditEvent',
      id: idOf(u.record),
      message,
    });
  };
  if (u.subject === null) return unattributed(namesNeitherEssmsNorPerson(u.kind));
  const person = persons.personOf(u.subject);
  if (person === null) return; // already reported as unknown-subject
  const candidates = accompanyingAt(person, u.at);
  if (candidates.size !== 1) {
    return unattributed(
      candidates.size === 0
        ? `${u.kind} has no agent.who and the person had no séjour at that instant`
        : `${u.kind} has no agent.who and the person was accompanied by ${candidates.size} ESSMS at that instant`,
    );
  }
  const [e] = candidates as unknown as [Establishment];
  USAGE_RULES[u.kind].countAttributed(acc.grid, e, person, u.at, false);
}

/** The ESSMS whose séjour of the person contains the instant (read in each ESSMS's zone). */
function accompanyingAt(person: Person, at: number): Set<Establishment> {
  const candidates = new Set<Establishment>();
  for (const s of person.sejours) {
    const instant = resolveInstant(at, s.establishment.timezone);
    if (instant >= s.start && instant <= s.end) candidates.add(s.establishment);
  }
  return candidates;
}
