import type { RateIndicator } from '../evidence/recompute.js';

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
