/**
 * FHIR time values (indicators.md "Date-only values"), parsed without allocation. FHIR allows instants
 * with an offset, date-times without one, and partial dates (`2024`, `2024-03`, `2024-03-31`) where DUIs
 * store no time. Each value is parsed once into a single number so the hot path compares numbers:
 * - an instant with an offset is its epoch milliseconds;
 * - a *floating* value (a date, or a time without offset) is its wall-clock time read as if it were UTC,
 *   shifted by a constant so that it never collides with an instant, and is interpreted in the ESSMS's own
 *   time zone once that is known.
 * A date-only start is the start of that local day; a date-only end is the last millisecond of that day.
 *
 * This file alone knows how floating values are encoded: everything else asks `isFloating`,
 * `floatingWallMs` or `comparableMs`.
 */
import { wallToInstant } from './local-time.js';

/** Added to floating values so they never collide with instants (epoch ms stay below ±8.64e15). */
const FLOATING_OFFSET_MS = 2 ** 52;
const FLOATING_THRESHOLD = FLOATING_OFFSET_MS / 2;
const DAY_MS = 86_400_000;

type TimeBoundary = 'start' | 'end';

export function isFloating(value: number): boolean {
  return value >= FLOATING_THRESHOLD;
}

/** The wall-clock time (as UTC ms) of a floating value. */
export function floatingWallMs(value: number): number {
  return value - FLOATING_OFFSET_MS;
}

/**
 * A number to compare with window bounds: an instant stays an instant (compared with a zone's instant
 * bounds), a floating value becomes its wall-clock time (compared with the wall-clock bounds).
 */
export function comparableMs(value: number): number {
  return isFloating(value) ? value - FLOATING_OFFSET_MS : value;
}

/** Resolves a parsed time value into an instant in `timezone` (floating values are local wall time). */
export function resolveInstant(value: number, timezone: string): number {
  return isFloating(value) ? wallToInstant(floatingWallMs(value), timezone) : value;
}

/**
 * Forms outside FHIR's grammar that still name one instant unambiguously: used as written, and reported
 * (indicators.md "Data quality, never silent": the DUI editor can fix its export). A bit set.
 */
export const TIME_DEVIATIONS = {
  /** `2024-03-01T10:00+01:00`: no seconds (FHIR requires them once hours and minutes are given). */
  noSeconds: 1,
  /** More than 9 fractional digits (FHIR allows 1 to 9): read to the millisecond. */
  longFraction: 2,
  /**
   * `2024-01-14T23:30:00`: a time without its offset (FHIR requires one once a time is given): taken as the
   * ESSMS's local time, as a date alone is.
   */
  noOffset: 4,
} as const;

/** Why the last value `parseFhirTime` parsed is outside FHIR's grammar (0: it is not). */
let lastDeviation = 0;

/** The `TIME_DEVIATIONS` of the value the last `parseFhirTime` call parsed (0 when it follows FHIR's grammar). */
export function lastTimeDeviation(): number {
  return lastDeviation;
}

/**
 * Parses a FHIR date, dateTime or instant. Returns `NaN` when it is not one, or cannot name a real
 * instant (year 0000, an offset beyond ±14:00). `boundary` says whether a partial value stands for its
 * first (`start`) or last (`end`) millisecond. Unambiguous forms FHIR's grammar does not allow (no seconds,
 * more than 9 fractional digits, a time without offset) are parsed, and `lastTimeDeviation()` says so.
 */
export function parseFhirTime(text: string, boundary: TimeBoundary): number {
  // A record's times are parsed more than once (checked by read/quick-check.ts, then read by a rule): the
  // last few results are remembered, with their deviation. A value is the same string object then, so a
  // hit costs a pointer comparison; a miss, a few comparisons of strings that differ early.
  for (let i = 0; i < MEMO_SIZE; i++) {
    if (memoText[i] === text && memoBoundary[i] === boundary) {
      lastDeviation = memoDeviation[i]!;
      return memoValue[i]!;
    }
  }
  const value = parseUncached(text, boundary);
  memoNext = (memoNext + 1) & (MEMO_SIZE - 1);
  memoText[memoNext] = text;
  memoBoundary[memoNext] = boundary;
  memoValue[memoNext] = value;
  memoDeviation[memoNext] = lastDeviation;
  return value;
}

/** The last `MEMO_SIZE` values `parseFhirTime` parsed (a power of two), in a ring. */
const MEMO_SIZE = 4;
const memoText: string[] = ['', '', '', ''];
const memoBoundary: TimeBoundary[] = ['start', 'start', 'start', 'start'];
const memoValue = new Float64Array(MEMO_SIZE).fill(Number.NaN);
const memoDeviation = new Int32Array(MEMO_SIZE);
let memoNext = 0;

function parseUncached(text: string, boundary: TimeBoundary): number {
  lastDeviation = 0;
  const n = text.length;
  if (n < 4) return Number.NaN;
  const year = digits(text, 0, 4);
  // FHIR's years are 0001 to 9999: there is no year 0.
  if (year <= 0) return Number.NaN;
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
  let deviation = 0;
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
      if (j - i - 1 > 9) deviation |= TIME_DEVIATIONS.longFraction;
      millis = Math.floor(millis);
      i = j;
    }
  } else {
    deviation |= TIME_DEVIATIONS.noSeconds;
  }
  const wall = dayStart + hour * 3_600_000 + minute * 60_000 + Math.min(second, 59) * 1000 + millis;
  if (i === n) {
    lastDeviation = deviation | TIME_DEVIATIONS.noOffset;
    return FLOATING_OFFSET_MS + wall;
  }
  const sign = text.charCodeAt(i);
  if (sign === 90 /* Z */ && i === n - 1) {
    lastDeviation = deviation;
    return wall;
  }
  if ((sign === 43 /* + */ || sign === 45) && n - i === 6 && text.charCodeAt(i + 3) === 58) {
    const oh = digits(text, i + 1, i + 3);
    const om = digits(text, i + 4, i + 6);
    // No offset on Earth is beyond ±14:00 (FHIR's grammar: 00:00 to 13:59, or 14:00).
    if (oh < 0 || om < 0 || om > 59 || oh * 60 + om > 14 * 60) return Number.NaN;
    const offset = (oh * 60 + om) * 60_000;
    lastDeviation = deviation;
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
