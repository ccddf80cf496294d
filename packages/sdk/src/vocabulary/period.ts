import { startOfLocalDay } from './local-time.js';
import {
  addMonthsClamped,
  comparableMs,
  floatingWallMs,
  isFloating,
  localDateToWallMs,
  wallMsToLocalDate,
} from './time.js';
import { allZones, complement, NO_ZONES, withZone, type ZoneSet } from './zone-set.js';

/**
 * The measurement period P (indicators.md "Period P": the 3 months before D, in the ESSMS's local time)
 * and the other windows the rules use (the months P touches, the calendar year of P's last day, the
 * project start), for one measurement date D, precomputed for every candidate time zone so that each
 * record's times are classified once, as it streams past, into a `ZoneSet` (zone-set.ts says why every
 * zone). Local dates are the same in every zone; only the instants differ.
 */
export interface PeriodGrid {
  measureDate: string;
  /** P's first and last local dates, both inclusive. */
  localStart: string;
  localEnd: string;
  /** Local calendar months (`YYYY-MM`) that P touches. */
  months: string[];
  /** Calendar year containing P's last day. */
  year: number;
  timezones: string[];
  /** Wall-clock bounds (as UTC ms) shared by all zones, for floating values. */
  wall: WindowBounds;
  /** Per zone, instant bounds. */
  zones: ZoneWindows[];
  /** Union of every zone's P, for a cheap "could matter at all" test. */
  unionStartMs: number;
  unionEndMs: number;
  /** Every zone of the grid. */
  allZones: ZoneSet;
}

interface WindowBounds {
  /** P = [start, end). */
  start: number;
  end: number;
  /** Start of each month P touches, plus the end of the last one: months.length + 1 values. */
  monthStarts: number[];
  yearStart: number;
  yearEnd: number;
  /** Start of the configured project start date, or `null`. */
  projectStart: number | null;
}

interface ZoneWindows extends WindowBounds {
  timezone: string;
}

/** Grids are pure functions of their inputs and cost a few hundred Intl calls: keep the recent ones. */
const gridCache = new Map<string, PeriodGrid>();
const GRID_CACHE_SIZE = 32;

export function buildPeriodGrid(
  measureDate: string,
  timezones: string[],
  projectStartDate: string | null,
): PeriodGrid {
  const key = `${measureDate}|${projectStartDate ?? ''}|${timezones.join(',')}`;
  let grid = gridCache.get(key);
  if (grid === undefined) {
    grid = computePeriodGrid(measureDate, timezones, projectStartDate);
    if (gridCache.size >= GRID_CACHE_SIZE) gridCache.delete(gridCache.keys().next().value!);
    gridCache.set(key, grid);
  }
  return grid;
}

function computePeriodGrid(
  measureDate: string,
  timezones: string[],
  projectStartDate: string | null,
): PeriodGrid {
  const localStart = addMonthsClamped(measureDate, -3);
  const endWall = localDateToWallMs(measureDate);
  const startWall = localDateToWallMs(localStart);
  const lastDayWall = endWall - 86_400_000;
  const year = new Date(lastDayWall).getUTCFullYear();

  const monthStartsWall: number[] = [];
  const months: string[] = [];
  const first = new Date(startWall);
  for (let y = first.getUTCFullYear(), m = first.getUTCMonth(); Date.UTC(y, m, 1) < endWall; m++) {
    const start = Date.UTC(y, m, 1);
    monthStartsWall.push(start);
    months.push(wallMsToLocalDate(start).slice(0, 7));
  }
  const lastMonth = new Date(monthStartsWall[monthStartsWall.length - 1] ?? startWall);
  monthStartsWall.push(Date.UTC(lastMonth.getUTCFullYear(), lastMonth.getUTCMonth() + 1, 1));

  const projectWall = projectStartDate === null ? null : localDateToWallMs(projectStartDate);
  const wall: WindowBounds = {
    start: startWall,
    end: endWall,
    monthStarts: monthStartsWall,
    yearStart: Date.UTC(year, 0, 1),
    yearEnd: Date.UTC(year + 1, 0, 1),
    projectStart: projectWall,
  };
  const zones = timezones.map((timezone): ZoneWindows => {
    // Every bound is a local midnight.
    const toInstant = (w: number): number => startOfLocalDay(w, timezone);
    return {
      timezone,
      start: toInstant(wall.start),
      end: toInstant(wall.end),
      monthStarts: wall.monthStarts.map(toInstant),
      yearStart: toInstant(wall.yearStart),
      yearEnd: toInstant(wall.yearEnd),
      projectStart: projectWall === null ? null : toInstant(projectWall),
    };
  });
  return {
    measureDate,
    localStart,
    localEnd: wallMsToLocalDate(lastDayWall),
    months,
    year,
    timezones,
    wall,
    zones,
    unionStartMs: Math.min(...zones.map((z) => z.start)),
    unionEndMs: Math.max(...zones.map((z) => z.end)),
    allZones: allZones(timezones.length),
  };
}

/** The index of a time zone in the grid (its bit in every `ZoneSet`), or -1. */
export function zoneIndex(grid: PeriodGrid, timezone: string): number {
  return grid.timezones.indexOf(timezone);
}

/** The zones whose P contains the time value (a start: `P.start ≤ t < P.end`). */
export function zonesInPeriod(grid: PeriodGrid, value: number): ZoneSet {
  if (Number.isNaN(value)) return NO_ZONES;
  if (isFloating(value)) {
    const w = floatingWallMs(value);
    return w >= grid.wall.start && w < grid.wall.end ? grid.allZones : NO_ZONES;
  }
  if (value < grid.unionStartMs || value >= grid.unionEndMs) return NO_ZONES;
  let zones = NO_ZONES;
  const windows = grid.zones;
  for (let i = 0; i < windows.length; i++) {
    const z = windows[i]!;
    if (value >= z.start && value < z.end) zones = withZone(zones, i);
  }
  return zones;
}

/** The zones whose P.start is ≤ the value (an end that reaches into or past P); every zone when absent. */
export function zonesEndReachingPeriod(grid: PeriodGrid, value: number): ZoneSet {
  if (Number.isNaN(value)) return grid.allZones;
  if (isFloating(value)) return floatingWallMs(value) >= grid.wall.start ? grid.allZones : NO_ZONES;
  let zones = NO_ZONES;
  for (let i = 0; i < grid.zones.length; i++) if (value >= grid.zones[i]!.start) zones = withZone(zones, i);
  return zones;
}

/** The zones whose P.end is > the value (created before the end of P); every zone when absent. */
export function zonesBeforePeriodEnd(grid: PeriodGrid, value: number): ZoneSet {
  if (Number.isNaN(value)) return grid.allZones;
  if (isFloating(value)) return floatingWallMs(value) < grid.wall.end ? grid.allZones : NO_ZONES;
  let zones = NO_ZONES;
  for (let i = 0; i < grid.zones.length; i++) if (value < grid.zones[i]!.end) zones = withZone(zones, i);
  return zones;
}

/** The zones whose P.end is ≤ the value (updated after the end of P). */
export function zonesAfterPeriodEnd(grid: PeriodGrid, value: number): ZoneSet {
  return complement(zonesBeforePeriodEnd(grid, value), grid.allZones);
}

/** The bounds of one zone, or the wall bounds for floating values (compare with `comparableMs`). */
export function boundsFor(grid: PeriodGrid, zoneIndex: number, value: number): WindowBounds {
  return isFloating(value) ? grid.wall : grid.zones[zoneIndex]!;
}

/** Index of the month of P containing the value in zone `zoneIndex`, or -1. */
export function monthIndex(grid: PeriodGrid, zoneIndex: number, value: number): number {
  const bounds = boundsFor(grid, zoneIndex, value);
  const v = comparableMs(value);
  const starts = bounds.monthStarts;
  if (v < bounds.start || v >= bounds.end) return -1;
  for (let m = 0; m < starts.length - 1; m++) if (v >= starts[m]! && v < starts[m + 1]!) return m;
  return -1;
}
