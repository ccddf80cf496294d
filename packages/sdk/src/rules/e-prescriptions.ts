/**
 * indicators.md "Optional indicators" → `e-prescriptions-importees`: the usage events of kind
 * `e-prescription-imported` at E, counted per local calendar month that P touches (three months when D is
 * the 1st, four otherwise; months with none show 0) and in total. No target.
 */
import type { OrgCounters } from '../accumulator.js';
import type { Establishment } from '../resolve/establishments.js';
import type { EPrescriptionResult } from '../results.js';
import { monthIndex, type PeriodGrid } from '../vocabulary/period.js';

/** Counts one e-prescription in the month of P that contains it in zone `zone`, if any. */
export function countEPrescription(grid: PeriodGrid, counters: OrgCounters, zone: number, at: number): void {
  const m = monthIndex(grid, zone, at);
  if (m >= 0) counters.ePrescriptions[zone * grid.months.length + m]!++;
}

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
