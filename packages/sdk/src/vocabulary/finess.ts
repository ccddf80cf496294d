/**
 * FINESS numbers (indicators.md "Vocabulary": ESSMS and Local time; "Data quality": format and key). A
 * FINESS number has 9 characters: the department (2 digits, or `2A`/`2B` for Corsica), 6 more digits, and
 * a key digit (Luhn over the 9 characters, as the ANS MOS documents). Overseas numbers carry the territory
 * digit in position 4 after a `0` (`9704…` is Réunion), which gives the ESSMS's time zone.
 */

export type FinessProblem = 'format' | 'key';

export interface FinessCheck {
  /** The normalised value (trimmed, upper-case). */
  value: string;
  /** `null` when the number is usable; `format` excludes it, `key` is a warning unless strict. */
  problem: FinessProblem | null;
  /** `true` for Corsican numbers, whose key is not checked (format only). */
  corsica: boolean;
}

const FINESS_LENGTH = 9;

/** Normalises and checks a FINESS number. */
export function checkFiness(raw: string): FinessCheck {
  const value = raw.trim().toUpperCase();
  const corsica = value.startsWith('2A') || value.startsWith('2B');
  if (!isWellFormedFiness(value)) return { value, problem: 'format', corsica };
  if (!corsica && !hasValidFinessKey(value)) return { value, problem: 'key', corsica };
  return { value, problem: null, corsica };
}

/** 9 characters: two department characters (digits, `2A` or `2B`) then 7 digits. */
export function isWellFormedFiness(value: string): boolean {
  if (value.length !== FINESS_LENGTH) return false;
  const c0 = value.charCodeAt(0);
  const c1 = value.charCodeAt(1);
  const departmentOk =
    isDigit(c0) && (isDigit(c1) || (c0 === 50 /* 2 */ && (c1 === 65 /* A */ || c1 === 66)));
  if (!departmentOk) return false;
  for (let i = 2; i < FINESS_LENGTH; i++) if (!isDigit(value.charCodeAt(i))) return false;
  return true;
}

/** Luhn (mod 10) over the 9 digits. Corsican numbers have no numeric key: always `false` for them. */
export function hasValidFinessKey(value: string): boolean {
  if (!/^\d{9}$/.test(value)) return false;
  return luhnSum(value) % 10 === 0;
}

/** The key digit that completes 8 leading digits into a valid FINESS number. */
export function finessKey(firstEightDigits: string): number {
  if (!/^\d{8}$/.test(firstEightDigits)) throw new RangeError('finessKey expects exactly 8 digits');
  const sum = luhnSum(`${firstEightDigits}0`);
  return (10 - (sum % 10)) % 10;
}

function luhnSum(digits: string): number {
  let sum = 0;
  for (let i = digits.length - 1, double = false; i >= 0; i--, double = !double) {
    let d = digits.charCodeAt(i) - 48;
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum;
}

function isDigit(code: number): boolean {
  return code >= 48 && code <= 57;
}

export const DEFAULT_TIMEZONE = 'Europe/Paris';

/** Time zone of each overseas territory prefix (department + `0` + territory digit). */
const OVERSEAS_TIMEZONES: Readonly<Record<string, string>> = {
  '9701': 'America/Guadeloupe',
  '9702': 'America/Martinique',
  '9703': 'America/Cayenne',
  '9704': 'Indian/Reunion',
  '9705': 'America/Miquelon',
  '9805': 'Indian/Mayotte',
  '9806': 'Pacific/Wallis',
};

export interface FinessTimezone {
  timezone: string;
  /** `true` when the number is overseas (`98…`) but its territory is not known: Europe/Paris is a guess. */
  unknown: boolean;
}

/** The local time zone of an ESSMS from its FINESS number (indicators.md "Local time"). */
export function timezoneForFiness(finess: string): FinessTimezone {
  const known = OVERSEAS_TIMEZONES[finess.slice(0, 4)];
  if (known !== undefined) return { timezone: known, unknown: false };
  if (finess.startsWith('98')) return { timezone: DEFAULT_TIMEZONE, unknown: true };
  return { timezone: DEFAULT_TIMEZONE, unknown: false };
}

/** Every time zone a FINESS number can map to: the engine precomputes a period for each. */
export const FINESS_TIMEZONES: readonly string[] = [
  DEFAULT_TIMEZONE,
  ...new Set(Object.values(OVERSEAS_TIMEZONES)),
];
