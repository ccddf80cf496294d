import { RATE_INDICATORS, VA_INDICATORS, type RateIndicator } from '../evidence/recompute.js';
import type { Cell, LinesFact } from './attestation-model.js';

// The words, marks and cells the attestation's pages and annex share.

/** The three DUI indicators, then the two usage rates, in the programme's order. */
export const DUI = VA_INDICATORS;
export const USAGE: readonly RateIndicator[] = RATE_INDICATORS.filter((id) => !VA_INDICATORS.includes(id));

/** Verification findings quoted on the attestation page itself when the evidence fails (the rest: annex). */
export const FINDINGS_ON_PAGE = 2;
export const MET = '✓';
export const UNMET = '✗';
export const NO_RATE = '—';

/** Marks a figure on a page whose evidence does not verify. */
export const UNVERIFIED = '(non vérifié)';

/** Blank to fill in by hand in the statement. */
export const BLANK = '……………………………………';

export function fact(label: string, value: string, mono = false): LinesFact {
  return { label, lines: [value], mono };
}

export function plain(main: string, small = ''): Cell {
  return { small, main, tone: 'neutral' };
}
