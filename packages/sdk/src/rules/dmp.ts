/**
 * indicators.md "The five mandatory indicators" → `taux-dmp`, and "DMP fed": the persons accompanied by E
 * in P with at least one usage event of kind `dmp-document-fed`, outcome success, recorded in P,
 * attributed to E (like MSSanté messages), about that person. One person counts once however many
 * documents; a feed without a person is an error and counts nowhere.
 *
 * The steps every usage event shares are rules/usage-event.ts; which ESSMS an event is at is
 * resolve/attribution.ts. What is DMP's own is below: feeds are counted per person (the zones where a feed
 * named by `agent.who` falls in P, per organisation key, merged when several keys reach one person), and a
 * person of the denominator counts at E when E fed their DMP in P.
 */
import type { Accumulator, PersonState } from '../accumulator.js';
import { CONTRIBUTION } from '../contributions.js';
import { missingSubject } from '../data-quality.js';
import type { ProblemFact } from '../facts.js';
import type { Establishment } from '../resolve/establishments.js';
import type { Person } from '../resolve/persons.js';
import { zonesInPeriod, type PeriodGrid } from '../vocabulary/period.js';
import { hasZone, mergeZoneMaps, NO_ZONES, unionAtKey, type ZoneSet } from '../vocabulary/zone-set.js';
import type { PersonRule, UsageRule } from './rule.js';

// ---- Streaming ---------------------------------------------------------------------------------------

/** A feed about nobody counts nowhere. */
function feedWithoutPerson(record: string): ProblemFact {
  return missingSubject(record, 'dmp-document-fed without a person (entity.what)', 'AuditEvent');
}

/** A feed whose `agent.who` names organisation key `org`: logged by zone where it falls in P. */
function countDmpFeedByAgent(acc: Accumulator, state: PersonState, org: string, at: number): void {
  const inPeriod = zonesInPeriod(acc.grid, at);
  if (inPeriod === NO_ZONES) return;
  acc.contribute(CONTRIBUTION.dmpByAgent, state.index, inPeriod, acc.intern(org));
}

/** Applies a logged feed (`Accumulator.settle`, for the version of the record used): `dmpByOrg[org] |= zones`. */
export function addDmpFeedByAgent(state: PersonState, org: string, zones: ZoneSet): void {
  state.dmpByOrg = unionAtKey(state.dmpByOrg, org, zones);
}

/** When several person keys turn out to be one person: their feeds, together. */
export function mergeDmpFeeds(into: PersonState, from: PersonState): void {
  into.dmpByOrg = mergeZoneMaps(into.dmpByOrg, from.dmpByOrg);
}

// ---- Once everything is read ------------------------------------------------------------------------

/** The person's feeds named by `agent.who`, at the ESSMS they name (if it is reported). */
function countDmpFeedsByAgent(person: Person, establishmentOf: (key: string) => Establishment | null): void {
  const byOrg = person.state.dmpByOrg;
  if (byOrg === null) return;
  for (const [orgKey, zones] of byOrg) {
    // An organisation that is not a reported ESSMS is reported with its counters (resolve/attribution.ts).
    const e = establishmentOf(orgKey);
    if (e !== null && hasZone(zones, e.zone)) e.dmpPersons.add(person.id);
  }
}

/** A feed attributed to ESSMS `e` (by an untyped `agent.who`, or through the person's séjour). */
function countDmpFeed(grid: PeriodGrid, e: Establishment, person: Person | null, at: number): void {
  if (person !== null && hasZone(zonesInPeriod(grid, at), e.zone)) e.dmpPersons.add(person.id);
}

/**
 * How a feed is counted: per person, never in an organisation's counters (a feed named by `agent.who` is
 * still named there, so that an organisation that is not a reported ESSMS gets its events reported).
 */
export const dmpUsage: UsageRule = {
  mayCountBeforePeriod: () => false,
  countAtOrganisation: () => undefined,
  addNamed: () => undefined,
  countAttributed: (grid, e, person, at) => countDmpFeed(grid, e, person, at),
  perPerson: {
    withoutPerson: feedWithoutPerson,
    countNamedByAgent: countDmpFeedByAgent,
    addNamedOfPerson: countDmpFeedsByAgent,
  },
};

/** The decision: a document fed to the person's DMP by the ESSMS in P. */
export const dmpRule: PersonRule = {
  kind: 'persons',
  counts: (person, e) => e.dmpPersons.has(person.id),
  reason: () => 'no-dmp-document-in-period',
};
