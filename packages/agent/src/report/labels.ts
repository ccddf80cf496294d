import { INDICATORS, POPULATIONS, RATE_INDICATOR_IDS } from '@esms-numerique/sdk';
import type { RateIndicator } from '../evidence/recompute.js';

/** The programme's own names of the five mandatory indicators (the SDK's indicator registry). */
export const INDICATOR_LABELS: Readonly<Record<RateIndicator, string>> = byRate((id) => INDICATORS[id].title);

/**
 * Column headers of the attestation, in words a director reads without a legend (never abbreviated:
 * "Projet personnalisé", not "Projet perso.").
 */
export const INDICATOR_COLUMN_LABELS: Readonly<Record<RateIndicator, string>> = {
  'taux-dossiers-actifs': 'Dossiers actifs',
  'taux-projet-personnalise': 'Projet personnalisé',
  'taux-evenement-agenda': 'Événement dans l’agenda',
  'taux-mssante': 'MSSanté',
  'taux-dmp': 'DMP',
};

/** What the numerator and denominator count, in plain words for a director. */
export const INDICATOR_COUNTS: Readonly<Record<RateIndicator, { numerator: string; denominator: string }>> =
  byRate((id) => ({
    numerator: INDICATORS[id].numerator.label,
    denominator: POPULATIONS[INDICATORS[id].denominator].label,
  }));

function byRate<T>(value: (id: RateIndicator) => T): Record<RateIndicator, T> {
  return Object.fromEntries(RATE_INDICATOR_IDS.map((id) => [id, value(id)])) as Record<RateIndicator, T>;
}
