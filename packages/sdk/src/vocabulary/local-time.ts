/**
 * Local time in IANA time zones (indicators.md "Local time": "DST transitions must not shift a day
 * boundary"): a zone's offset at an instant, the instant a wall clock shows, the first instant of a local
 * day, and instants written with their offset. Only `Intl` knows the zones; its answers are cached, since
 * offsets change only at DST transitions, months apart.
 */

const DAY_MS = 86_400_000;

const formatterCache = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timezone: string): Intl.DateTimeFormat {
  let formatter = formatterCache.get(timezone);
  if (formatter === undefined) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone: timezone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatterCache.set(timezone, formatter);
  }
  return formatter;
}

/** Whether `timezone` is an IANA zone this runtime knows. */
export function isValidTimezone(timezone: string): boolean {
  try {
    formatterFor(timezone);
    return true;
  } catch {
    return false;
  }
}

/**
 * Offsets only change at DST transitions, months apart. Cached per zone in 8-day spans: a span whose two
 * ends have the same offset has it throughout; the few spans with a transition are cached per quarter
 * hour (transitions fall on a quarter hour in every zone a FINESS maps to).
 */
const SPAN_MS = 8 * 86_400_000;
const QUARTER_HOUR_MS = 15 * 60_000;
const NOT_UNIFORM = Number.NaN;
const spanCache = new Map<string, Map<number, number>>();
const quarterCache = new Map<string, Map<number, number>>();
const OFFSET_CACHE_MAX_ENTRIES = 100_000;

/** The zone's offset from UTC, in ms, at an instant (positive east of Greenwich). */
function timezoneOffsetMs(timezone: string, instantMs: number): number {
  const spans = cacheFor(spanCache, timezone);
  const span = Math.floor(instantMs / SPAN_MS);
  let offset = spans.get(span);
  if (offset === undefined) {
    const first = computeOffsetMs(timezone, span * SPAN_MS);
    const last = computeOffsetMs(timezone, (span + 1) * SPAN_MS - 1000);
    offset = first === last ? first : NOT_UNIFORM;
    remember(spans, span, offset);
  }
  if (!Number.isNaN(offset)) return offset;
  const quarters = cacheFor(quarterCache, timezone);
  const quarter = Math.floor(instantMs / QUARTER_HOUR_MS);
  let exact = quarters.get(quarter);
  if (exact === undefined) {
    exact = computeOffsetMs(timezone, quarter * QUARTER_HOUR_MS);
    remember(quarters, quarter, exact);
  }
  return exact;
}

function cacheFor(cache: Map<string, Map<number, number>>, timezone: string): Map<number, number> {
  let zone = cache.get(timezone);
  if (zone === undefined) {
    zone = new Map();
    cache.set(timezone, zone);
  }
  return zone;
}

function remember(cache: Map<number, number>, key: number, value: number): void {
  if (cache.size >= OFFSET_CACHE_MAX_ENTRIES) cache.clear();
  cache.set(key, value);
}

function computeOffsetMs(timezone: string, instantMs: number): number {
  const parts = formatterFor(timezone).formatToParts(new Date(instantMs));
  const get = (type: Intl.DateTimeFormatPartTypes): number =>
    Number(parts.find((part) => part.type === type)?.value ?? 0);
  const wall = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second'));
  return wall - (instantMs - (((instantMs % 1000) + 1000) % 1000));
}

/**
 * The instant at which the wall clock of `timezone` shows `wallMs`. In a DST gap the later offset wins; in
 * an overlap, the first occurrence. For local midnights use `startOfLocalDay`.
 */
export function wallToInstant(wallMs: number, timezone: string): number {
  const firstGuess = wallMs - timezoneOffsetMs(timezone, wallMs);
  const offset = timezoneOffsetMs(timezone, firstGuess);
  const candidate = wallMs - offset;
  const check = timezoneOffsetMs(timezone, candidate);
  return check === offset ? candidate : wallMs - check;
}

/**
 * The first instant of a local calendar day, given as its wall-clock midnight (UTC ms). Of two readings of
 * local midnight (a repeated hour) the earlier wins; when local midnight does not exist (a DST gap at 00:00,
 * as in some American zones), the day starts at the transition. Midnight is never in a gap in the zones
 * FINESS numbers map to, but periods and MeasureReports are right in any zone.
 */
export function startOfLocalDay(midnightWallMs: number, timezone: string): number {
  const offsets = new Set([
    timezoneOffsetMs(timezone, midnightWallMs - DAY_MS),
    timezoneOffsetMs(timezone, midnightWallMs),
    timezoneOffsetMs(timezone, midnightWallMs + DAY_MS),
  ]);
  const readings = [...offsets]
    .map((offset) => ({ offset, instant: midnightWallMs - offset }))
    .filter((reading) => timezoneOffsetMs(timezone, reading.instant) === reading.offset)
    .map((reading) => reading.instant);
  if (readings.length > 0) return Math.min(...readings);
  // A gap: the transition lies between the readings under the earliest and the latest offsets.
  const candidates = [...offsets].map((offset) => midnightWallMs - offset);
  let before = Math.min(...candidates); // local time there is still the previous day
  let after = Math.max(...candidates); // local time there is already this day
  while (after - before > MINUTE_MS) {
    const middle = before + Math.floor((after - before) / 2 / MINUTE_MS) * MINUTE_MS;
    if (middle + timezoneOffsetMs(timezone, middle) >= midnightWallMs) after = middle;
    else before = middle;
  }
  return after;
}

const MINUTE_MS = 60_000;

/**
 * An instant written in the zone's local time with its offset: `2024-03-31T23:59:59.999+02:00` (without
 * the milliseconds when `withMilliseconds` is false).
 */
export function formatWithOffset(instantMs: number, timezone: string, withMilliseconds = true): string {
  const offset = timezoneOffsetMs(timezone, instantMs);
  const local = new Date(instantMs + offset).toISOString(); // the wall clock, read as UTC
  const wallClock = withMilliseconds ? local.slice(0, 23) : local.slice(0, 19);
  const sign = offset < 0 ? '-' : '+';
  const abs = Math.abs(offset) / MINUTE_MS;
  const hh = String(Math.floor(abs / 60)).padStart(2, '0');
  const mm = String(abs % 60).padStart(2, '0');
  return `${wallClock}${sign}${hh}:${mm}`;
}
