import { INDICATORS, POPULATIONS, RATE_INDICATOR_IDS } from '@esms-numerique/sdk';
import type { RateIndicator } from '../evidence/recompute.js';

/** The programme's own names of the five mandatory indicators (the SDK's indicator registry). */
export const INDICATOR_LABELS: Readonly<Record<RateIndicator, string>> = byRate((id) => INDICATORS[id].title);

/** Short names, for column headers. */
export const INDICATOR_SHORT_LABELS: Readonly<Record<RateIndicator, string>> = byRate(
  (id) => INDICATORS[id].shortTitle,
);

/** What the numerator and denominator count, in plain words for a director. */
export const INDICATOR_COUNTS: Readonly<Record<RateIndicator, { numerator: string; denominator: string }>> =
  byRate((id) => ({
    numerator: INDICATORS[id].numerator.label,
    denominator: POPULATIONS[INDICATORS[id].denominator].label,
  }));

function byRate<T>(value: (id: RateIndicator) => T): Record<RateIndicator, T> {
  return Object.fromEntries(RATE_INDICATOR_IDS.map((id) => [id, value(id)])) as Record<RateIndicator, T>;
}
