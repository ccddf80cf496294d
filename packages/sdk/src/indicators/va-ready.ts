/**
 * indicators.md "Further figures" → the SONS *Vérification d'Aptitude*: an ESSMS is `vaReady` when the
 * three DUI indicators (registry: `vaReady`) are all provided and non-zero; otherwise `vaReason` says why.
 */
import type { IndicatorResults } from '../results.js';
import { VA_INDICATOR_IDS } from './registry.js';

/** `null` when ready, else the reasons. */
export function vaCheck(indicators: IndicatorResults): string | null {
  const problems: string[] = [];
  for (const id of VA_INDICATOR_IDS) {
    const r = indicators[id];
    if (r.rate === null) problems.push(`${id} not provided (empty denominator)`);
    else if (r.numerator === 0) problems.push(`${id} is zero`);
  }
  return problems.length === 0 ? null : problems.join('; ');
}
