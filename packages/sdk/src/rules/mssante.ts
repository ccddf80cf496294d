/**
 * indicators.md "The five mandatory indicators" → `taux-mssante`, and "MSSanté message sent": the number
 * of usage events of kind `mssante-message-sent`, outcome success, recorded in P, attributed to E
 * (rules/usage-event.ts, resolve/attribution.ts), over the persons accompanied in P. It counts messages,
 * not persons, so the rate may exceed 100 %.
 */
import type { OrgCounters } from '../accumulator.js';
import { hasZone, type ZoneSet } from '../vocabulary/zone-set.js';
import type { MessageRule } from './rule.js';

/** Counts one message sent, in zone `zone` when it was recorded in P there. */
export function countMessage(counters: OrgCounters, zone: number, inPeriod: ZoneSet): void {
  if (hasZone(inPeriod, zone)) counters.mssante[zone]!++;
}

/** The decision: the messages of the ESSMS, and how they were attributed. */
export const mssanteRule: MessageRule = {
  kind: 'messages',
  count: (e) => e.counters.mssante[e.zone]!,
  counted: (e) => ({ byAgent: e.mssanteByAgent, bySejour: e.counters.mssante[e.zone]! - e.mssanteByAgent }),
};
