import { INDICATORS, RATE_INDICATOR_IDS } from '@esms-numerique/sdk';
import type { RateIndicator } from '../evidence/recompute.js';

/**
 * Column headers of the attestation and the dashboard: the registry's headings, in words a director reads
 * without a legend (never abbreviated: "Projet personnalisé", not "Projet perso.").
 */
export const INDICATOR_COLUMN_LABELS: Readonly<Record<RateIndicator, string>> = Object.freeze(
  Object.fromEntries(RATE_INDICATOR_IDS.map((id) => [id, INDICATORS[id].heading])) as Record<
    RateIndicator,
    string
  >,
);
