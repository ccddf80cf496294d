/**
 * indicators.md "Optional indicators" → `echanges-e-parcours`: the usage events of kind
 * `e-parcours-exchange` at E in P; also the cumulative count from the project start date (option
 * `projectStartDate`, a local date) to the end of P when one is configured. No target.
 *
 * The steps every usage event shares are rules/usage-event.ts; which ESSMS an event is at is
 * resolve/attribution.ts. What is this indicator's own is below: in P, and since the project start (which
 * is why an exchange before P may still count).
 */
import type { OrgCounters } from '../accumulator.js';
import type { ResolvedOptions } from '../options.js';
import type { Establishment } from '../resolve/establishments.js';
import type { EParcoursResult } from '../results.js';
import { boundsFor, zonesInPeriod, type PeriodGrid } from '../vocabulary/period.js';
import { comparableMs } from '../vocabulary/time.js';
import { hasZone, type ZoneSet } from '../vocabulary/zone-set.js';
import type { UsageRule } from './rule.js';

// ---- Streaming ---------------------------------------------------------------------------------------

/** Counts one exchange in zone `zone`: in P, and since the project start. */
function countExchange(
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
function mayCountSinceProjectStart(grid: PeriodGrid, at: number): boolean {
  return grid.zones.some((z) => z.projectStart !== null && at >= z.projectStart);
}

// ---- Once everything is read ------------------------------------------------------------------------

/** The exchanges of an organisation key named by `agent.who`, at its ESSMS. */
function addNamedExchanges(e: Establishment, counters: OrgCounters): void {
  e.counters.eParcours[e.zone]! += counters.eParcours[e.zone]!;
  e.counters.eParcoursSinceStart[e.zone]! += counters.eParcoursSinceStart[e.zone]!;
}

/** How an exchange is counted, as it streams past and once attributed. */
export const eParcoursUsage: UsageRule = {
  mayCountBeforePeriod: mayCountSinceProjectStart,
  countAtOrganisation: countExchange,
  addNamed: (_grid, e, counters) => addNamedExchanges(e, counters),
  countAttributed: (grid, e, _person, at) =>
    countExchange(grid, e.counters, e.zone, at, zonesInPeriod(grid, at)),
};

/** The figure of one ESSMS (`sinceProjectStart` is `null` without a project start date). */
export function eParcoursResult(e: Establishment, options: ResolvedOptions): EParcoursResult {
  return {
    total: e.counters.eParcours[e.zone]!,
    sinceProjectStart: options.projectStartDate === null ? null : e.counters.eParcoursSinceStart[e.zone]!,
  };
}
