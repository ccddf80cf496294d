/**
 * Time values without allocation. FHIR allows instants with an offset, date-times without one, and partial
 * dates (`2024`, `2024-03`, `2024-03-31`) where DUIs store no time. Values are parsed once into a single
 * number so the hot path compares numbers:
 * - an instant with an offset is its epoch milliseconds;
 * - a *floating* value (a date, or a time without offset) is its wall-clock time read as if it were UTC,
 *   plus `FLOATING_OFFSET_MS`, and is interpreted in the ESSMS's own time zone.
 * A date-only start is the start of that local day; a date-only end is the last millisecond of that day.
 */

/** Added to floating values so they never collide with instants (epoch ms stay below ±8.64e15). */
export const FLOATING_OFFSET_MS = 2 ** 52;
const FLOATING_THRESHOLD = FLOATING_OFFSET_MS / 2;
const DAY_MS = 86_400_000;

export type TimeBoundary = 'start' | 'end';

export function isFloating(value: number): boolean {
  return value >= FLOATING_THRESHOLD;
}

export function floatingWallMs(value: number): number {
  return value - FLOATING_OFFSET_MS;
}

/**
 * Parses a FHIR date, dateTime or instant. Returns `NaN` when it is not one. `boundary` says whether a
 * partial value stands for its first (`start`) or last (`end`) millisecond.
 */
export function parseFhirTime(text: string, boundary: TimeBoundary): number {
  const n = text.length;
  if (n < 4) return Number.NaN;
  const year = digits(text, 0, 4);
  if (year < 0) return Number.NaN;
  if (n === 4) {
    return boundary === 'start'
      ? FLOATING_OFFSET_MS + utcMs(year, 1, 1)
      : FLOATING_OFFSET_MS + utcMs(year + 1, 1, 1) - 1;
  }
  if (text.charCodeAt(4) !== 45 /* - */ || n < 7) return Number.NaN;
  const month = digits(text, 5, 7);
  if (month < 1 || month > 12) return Number.NaN;
  if (n === 7) {
    return boundary === 'start'
      ? FLOATING_OFFSET_MS + utcMs(year, month, 1)
      : FLOATING_OFFSET_MS + (month === 12 ? utcMs(year + 1, 1, 1) : utcMs(year, month + 1, 1)) - 1;
  }
  if (text.charCodeAt(7) !== 45 || n < 10) return Number.NaN;
  const day = digits(text, 8, 10);
  if (day < 1 || day > daysInMonth(year, month)) return Number.NaN;
  const dayStart = utcMs(year, month, day);
  if (n === 10) {
    return boundary === 'start' ? FLOATING_OFFSET_MS + dayStart : FLOATING_OFFSET_MS + dayStart + DAY_MS - 1;
  }
  if (text.charCodeAt(10) !== 84 /* T */ || n < 16) return Number.NaN;
  const hour = digits(text, 11, 13);
  const minute = digits(text, 14, 16);
  if (text.charCodeAt(13) !== 58 || hour < 0 || hour > 23 || minute < 0 || minute > 59) return Number.NaN;
  let i = 16;
  let second = 0;
  let millis = 0;
  if (i < n && text.charCodeAt(i) === 58 /* : */) {
    second = digits(text, i + 1, i + 3);
    if (second < 0 || second > 60) return Number.NaN;
    i += 3;
    if (i < n && text.charCodeAt(i) === 46 /* . */) {
      let j = i + 1;
      let scale = 100;
      while (j < n && isDigit(text.charCodeAt(j))) {
        millis += (text.charCodeAt(j) - 48) * scale;
        scale /= 10;
        j++;
      }
      if (j === i + 1) return Number.NaN;
      millis = Math.floor(millis);
      i = j;
    }
  }
  const wall = dayStart + hour * 3_600_000 + minute * 60_000 + Math.min(second, 59) * 1000 + millis;
  if (i === n) return FLOATING_OFFSET_MS + wall;
  const sign = text.charCodeAt(i);
  if (sign === 90 /* Z */ && i === n - 1) return wall;
  if ((sign === 43 /* + */ || sign === 45) && n - i === 6 && text.charCodeAt(i + 3) === 58) {
    const oh = digits(text, i + 1, i + 3);
    const om = digits(text, i + 4, i + 6);
    if (oh < 0 || oh > 14 || om < 0 || om > 59) return Number.NaN;
    const offset = (oh * 60 + om) * 60_000;
    return sign === 43 ? wall - offset : wall + offset;
  }
  return Number.NaN;
}

/**
 * Epoch ms of a UTC calendar date (month 1–12), by arithmetic (Howard Hinnant's days-from-civil): cheaper
 * than `Date.UTC` in the hot path, and right for years below 100, which `Date.UTC` maps to 19xx.
 */
function utcMs(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const dayOfYear = Math.floor((153 * ((month + 9) % 12) + 2) / 5) + day - 1;
  const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  return (era * 146_097 + dayOfEra - 719_468) * DAY_MS;
}

function digits(text: string, from: number, to: number): number {
  if (to > text.length) return -1;
  let v = 0;
  for (let i = from; i < to; i++) {
    const c = text.charCodeAt(i);
    if (!isDigit(c)) return -1;
    v = v * 10 + (c - 48);
  }
  return v;
}

function isDigit(code: number): boolean {
  return code >= 48 && code <= 57;
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** Arithmetic, not `new Date`: this runs for every date of every record. */
function daysInMonth(year: number, month: number): number {
  if (month === 2 && year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0)) return 29;
  return DAYS_IN_MONTH[month - 1] ?? 31;
}

/** `YYYY-MM-DD` → its wall-clock midnight as UTC epoch ms; `NaN` when invalid. */
export function localDateToWallMs(date: string): number {
  if (date.length !== 10) return Number.NaN;
  const value = parseFhirTime(date, 'start');
  return Number.isNaN(value) ? value : floatingWallMs(value);
}

/** Wall-clock epoch ms → `YYYY-MM-DD`. */
export function wallMsToLocalDate(wallMs: number): string {
  return new Date(wallMs).toISOString().slice(0, 10);
}

/** `D − months`, keeping the day of month and clamping to the month's last day (2024-05-31 − 3 → 2024-02-29). */
export function addMonthsClamped(date: string, months: number): string {
  const year = Number(date.slice(0, 4));
  const month = Number(date.slice(5, 7)) - 1 + months;
  const day = Number(date.slice(8, 10));
  const targetYear = year + Math.floor(month / 12);
  const targetMonth = ((month % 12) + 12) % 12;
  const clampedDay = Math.min(day, daysInMonth(targetYear, targetMonth + 1));
  return wallMsToLocalDate(Date.UTC(targetYear, targetMonth, clampedDay));
}

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
export function timezoneOffsetMs(timezone: string, instantMs: number): number {
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

/** Resolves a parsed time value into an instant in `timezone` (floating values are local wall time). */
export function resolveInstant(value: number, timezone: string): number {
  return isFloating(value) ? wallToInstant(floatingWallMs(value), timezone) : value;
}

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
