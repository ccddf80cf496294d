/**
 * indicators.md "Optional indicators" → `echanges-e-parcours`: the usage events of kind
 * `e-parcours-exchange` at E in P; also the cumulative count from the project start date (option
 * `projectStartDate`, a local date) to the end of P when one is configured. No target.
 */
import type { OrgCounters } from '../accumulator.js';
import type { ResolvedOptions } from '../options.js';
import type { Establishment } from '../resolve/establishments.js';
import type { EParcoursResult } from '../results.js';
import { boundsFor, type PeriodGrid } from '../vocabulary/period.js';
import { comparableMs } from '../vocabulary/time.js';
import { hasZone, type ZoneSet } from '../vocabulary/zone-set.js';

/** Counts one exchange in zone `zone`: in P, and since the project start. */
export function countExchange(
  grid: PeriodGrid,
  counters: OrgCounters,
  zone: number,
  at: number,
  inPeriod: ZoneSet,
): void {
  if (hasZone(inPeriod, zone)) counters.eParcours[zone]!++;
  const bounds = boundsFor(grid, zone, at);
  const v = comparableMs(at);
  if (bounds.projectStart !== null && v >= bounds.projectStart && v < bounds.end)
    counters.eParcoursSinceStart[zone]!++;
}

/** Whether an instant before every zone's P may still count since the project start. */
export function mayCountSinceProjectStart(grid: PeriodGrid, at: number): boolean {
  return grid.zones.some((z) => z.projectStart !== null && at >= z.projectStart);
}

/** The figure of one ESSMS (`sinceProjectStart` is `null` without a project start date). */
export function eParcoursResult(e: Establishment, options: ResolvedOptions): EParcoursResult {
  return {
    total: e.counters.eParcours[e.zone]!,
    sinceProjectStart: options.projectStartDate === null ? null : e.counters.eParcoursSinceStart[e.zone]!,
  };
}
