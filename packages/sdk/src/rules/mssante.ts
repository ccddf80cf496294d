/**
 * indicators.md "The five mandatory indicators" → `taux-mssante`, and "MSSanté message sent": the number
 * of usage events of kind `mssante-message-sent`, outcome success, recorded in P, attributed to E, over
 * the persons accompanied in P. It counts messages, not persons, so the rate may exceed 100 %.
 *
 * The steps every usage event shares (outcome success, its instant, the organisation `agent.who` names)
 * are rules/usage-event.ts; which ESSMS an event is at (by `agent.who`, else through the person's séjour)
 * is resolve/attribution.ts. What is MSSanté's own is below: a message counts in a zone when it was
 * recorded in P there, and the explanation tells how many were attributed by `agent.who`.
 */
import type { OrgCounters } from '../accumulator.js';
import type { Establishment } from '../resolve/establishments.js';
import { zonesInPeriod, type PeriodGrid } from '../vocabulary/period.js';
import { hasZone, type ZoneSet } from '../vocabulary/zone-set.js';
import type { MessageRule, UsageRule } from './rule.js';

// ---- Streaming ---------------------------------------------------------------------------------------

/** Counts one message sent, in zone `zone` when it was recorded in P there. */
function countMessage(counters: OrgCounters, zone: number, inPeriod: ZoneSet): void {
  if (hasZone(inPeriod, zone)) counters.mssante[zone]!++;
}

// ---- Once everything is read ------------------------------------------------------------------------

/** A message attributed at the end to ESSMS `e`; `byAgent` when an `agent.who` named it. */
function countAttributedMessage(grid: PeriodGrid, e: Establishment, at: number, byAgent: boolean): void {
  if (!hasZone(zonesInPeriod(grid, at), e.zone)) return;
  e.counters.mssante[e.zone]!++;
  if (byAgent) e.mssanteByAgent++;
}

/** The messages of an organisation key named by `agent.who`, at its ESSMS: all attributed by agent. */
function addNamedMessages(e: Establishment, counters: OrgCounters): void {
  const sent = counters.mssante[e.zone]!;
  e.counters.mssante[e.zone]! += sent;
  e.mssanteByAgent += sent;
}

/** How a message is counted, as it streams past and once attributed. */
export const mssanteUsage: UsageRule = {
  mayCountBeforePeriod: () => false,
  countAtOrganisation: (_grid, counters, zone, _at, inPeriod) => countMessage(counters, zone, inPeriod),
  addNamed: (_grid, e, counters) => addNamedMessages(e, counters),
  countAttributed: (grid, e, _person, at, byAgent) => countAttributedMessage(grid, e, at, byAgent),
};

/** The decision: the messages of the ESSMS, and how they were attributed. */
export const mssanteRule: MessageRule = {
  kind: 'messages',
  count: (e) => e.counters.mssante[e.zone]!,
  counted: (e) => ({ byAgent: e.mssanteByAgent, bySejour: e.counters.mssante[e.zone]! - e.mssanteByAgent }),
};
