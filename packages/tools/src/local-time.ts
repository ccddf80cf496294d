/**
 * Local time for the generator, without `Intl` in the hot loop (millions of records): the overseas
 * territories have fixed offsets, and Europe/Paris follows the EU summer-time rule (last Sunday of March
 * to last Sunday of October, switching at 01:00 UTC).
 *
 * Written here on purpose, not imported from the SDK's `vocabulary/local-time.ts`: the generator is an
 * independent producer of the data the engine is checked against (as duckdb-baseline.ts is an independent
 * peer), so a mistake in the SDK's local-time arithmetic shows up as a mismatch instead of being copied.
 */

const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;
export const DAY_MS = 24 * HOUR_MS;

const FIXED_OFFSET_MINUTES: Record<string, number> = {
  'Indian/Reunion': 240,
  'Indian/Mayotte': 180,
  'America/Guadeloupe': -240,
  'America/Martinique': -240,
  'America/Cayenne': -180,
  'America/Miquelon': -180,
  'Pacific/Wallis': 720,
};

function lastSundayUtc(year: number, monthIndex: number): number {
  const lastDay = new Date(Date.UTC(year, monthIndex + 1, 0));
  return Date.UTC(year, monthIndex, lastDay.getUTCDate() - lastDay.getUTCDay(), 1);
}

/** The offset from UTC, in minutes, of `timeZone` at the instant `epochMs`. */
export function offsetMinutes(timeZone: string, epochMs: number): number {
  const fixed = FIXED_OFFSET_MINUTES[timeZone];
  if (fixed !== undefined) return fixed;
  const year = new Date(epochMs).getUTCFullYear();
  const summer = epochMs >= lastSundayUtc(year, 2) && epochMs < lastSundayUtc(year, 9);
  return summer ? 120 : 60;
}

/** The instant of a local wall-clock time (`minuteOfDay` after local midnight of the local day `dayIndex`). */
export function localToEpochMs(timeZone: string, dayIndex: number, minuteOfDay = 0): number {
  const wall = dayIndex * DAY_MS + minuteOfDay * MINUTE_MS;
  const first = wall - offsetMinutes(timeZone, wall - 2 * HOUR_MS) * MINUTE_MS;
  return wall - offsetMinutes(timeZone, first) * MINUTE_MS;
}

/** Days since 1970-01-01 of a `YYYY-MM-DD` calendar date. */
export function dayIndexOf(date: string): number {
  const [y, m, d] = date.split('-').map(Number);
  return Math.floor(Date.UTC(y ?? 1970, (m ?? 1) - 1, d ?? 1) / DAY_MS);
}

/** The `YYYY-MM-DD` of a day index. */
export function dateOfDayIndex(dayIndex: number): string {
  return new Date(dayIndex * DAY_MS).toISOString().slice(0, 10);
}

/** The local day index of an instant in `timeZone`. */
export function localDayIndex(timeZone: string, epochMs: number): number {
  return Math.floor((epochMs + offsetMinutes(timeZone, epochMs) * MINUTE_MS) / DAY_MS);
}

/** An instant as a FHIR `instant` with the local offset of `timeZone` (`2024-03-31T10:30:00+04:00`). */
export function formatLocalInstant(timeZone: string, epochMs: number): string {
  const offset = offsetMinutes(timeZone, epochMs);
  const local = new Date(epochMs + offset * MINUTE_MS).toISOString().slice(0, 19);
  const sign = offset < 0 ? '-' : '+';
  const abs = Math.abs(offset);
  const hh = String(Math.floor(abs / 60)).padStart(2, '0');
  const mm = String(abs % 60).padStart(2, '0');
  return `${local}${sign}${hh}:${mm}`;
}

/** `date` minus `months` calendar months, keeping the day and clamping to the month's last day. */
export function minusMonths(date: string, months: number): string {
  const [y, m, d] = date.split('-').map(Number);
  const totalMonths = (y ?? 1970) * 12 + ((m ?? 1) - 1) - months;
  const year = Math.floor(totalMonths / 12);
  const monthIndex = totalMonths - year * 12;
  const lastDay = new Date(Date.UTC(year, monthIndex + 1, 0)).getUTCDate();
  const day = Math.min(d ?? 1, lastDay);
  return `${String(year).padStart(4, '0')}-${String(monthIndex + 1).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}
