/**
 * indicators.md "Optional indicators" → `e-prescriptions-importees`: the usage events of kind
 * `e-prescription-imported` at E, counted per local calendar month that P touches (three months when D is
 * the 1st, four otherwise; months with none show 0) and in total. No target.
 *
 * The steps every usage event shares are rules/usage-event.ts; which ESSMS an event is at is
 * resolve/attribution.ts. What is this indicator's own is below: the month of P an import falls in.
 */
import type { OrgCounters } from '../accumulator.js';
import type { Establishment } from '../resolve/establishments.js';
import type { EPrescriptionResult } from '../results.js';
import { monthIndex, type PeriodGrid } from '../vocabulary/period.js';
import type { UsageRule } from './rule.js';

// ---- Streaming ---------------------------------------------------------------------------------------

/** Counts one e-prescription in the month of P that contains it in zone `zone`, if any. */
function countEPrescription(grid: PeriodGrid, counters: OrgCounters, zone: number, at: number): void {
  const m = monthIndex(grid, zone, at);
  if (m >= 0) counters.ePrescriptions[zone * grid.months.length + m]!++;
}

// ---- Once everything is read ------------------------------------------------------------------------

/** The imports of an organisation key named by `agent.who`, month by month, at its ESSMS. */
function addNamedEPrescriptions(grid: PeriodGrid, e: Establishment, counters: OrgCounters): void {
  const months = grid.months.length;
  for (let m = 0; m < months; m++)
    e.counters.ePrescriptions[e.zone * months + m]! += counters.ePrescriptions[e.zone * months + m]!;
}

/** How an import is counted, as it streams past and once attributed. */
export const ePrescriptionsUsage: UsageRule = {
  mayCountBeforePeriod: () => false,
  countAtOrganisation: (grid, counters, zone, at) => countEPrescription(grid, counters, zone, at),
  addNamed: addNamedEPrescriptions,
  countAttributed: (grid, e, _person, at) => countEPrescription(grid, e.counters, e.zone, at),
};

/** The figure of one ESSMS: every month of P, then the total. */
export function ePrescriptionsResult(e: Establishment, grid: PeriodGrid): EPrescriptionResult {
  const months = grid.months.length;
  const byMonth: Record<string, number> = {};
  let total = 0;
  grid.months.forEach((month, m) => {
    const n = e.counters.ePrescriptions[e.zone * months + m]!;
    byMonth[month] = n;
    total += n;
  });
  return { total, byMonth };
}
