/**
 * indicators.md "The five mandatory indicators" → `taux-dmp`, and "DMP fed": the persons accompanied by E
 * in P with at least one usage event of kind `dmp-document-fed`, outcome success, recorded in P,
 * attributed to E (like MSSanté messages), about that person. One person counts once however many
 * documents; a feed without a person is an error and counts nowhere.
 */
import type { Accumulator, PersonState } from '../accumulator.js';
import { CONTRIBUTION } from '../contributions.js';
import type { Establishment } from '../resolve/establishments.js';
import type { Person } from '../resolve/persons.js';
import { zonesInPeriod, type PeriodGrid } from '../vocabulary/period.js';
import { hasZone, NO_ZONES } from '../vocabulary/zone-set.js';
import type { PersonRule } from './rule.js';

/** Streaming: a feed whose `agent.who` names organisation key `org`, by zone where it falls in P. */
export function countDmpFeedByAgent(acc: Accumulator, state: PersonState, org: string, at: number): void {
  const inPeriod = zonesInPeriod(acc.grid, at);
  if (inPeriod === NO_ZONES) return;
  acc.contribute(CONTRIBUTION.dmpByAgent, state.index, inPeriod, acc.intern(org));
}

/** Once read: the person's feeds named by `agent.who`, at the ESSMS they name (if it is reported). */
export function countDmpFeedsByAgent(
  person: Person,
  establishmentOf: (key: string) => Establishment | null,
): void {
  const byOrg = person.state.dmpByOrg;
  if (byOrg === null) return;
  for (const [orgKey, zones] of byOrg) {
    // An organisation that is not a reported ESSMS is reported with its counters (resolve/attribution.ts).
    const e = establishmentOf(orgKey);
    if (e !== null && hasZone(zones, e.zone)) e.dmpPersons.add(person.id);
  }
}

/** Once read: a feed attributed to ESSMS `e` (by an untyped `agent.who`, or through the person's séjour). */
export function countDmpFeed(grid: PeriodGrid, e: Establishment, person: Person, at: number): void {
  if (hasZone(zonesInPeriod(grid, at), e.zone)) e.dmpPersons.add(person.id);
}

/** The decision: a document fed to the person's DMP by the ESSMS in P. */
export const dmpRule: PersonRule = {
  kind: 'persons',
  counts: (person, e) => e.dmpPersons.has(person.id),
  reason: () => 'no-dmp-document-in-period',
};
