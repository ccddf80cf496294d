import type { RateIndicator } from '../evidence/recompute.js';

/** The programme's own names of the five mandatory indicators (indicators.md). */
export const INDICATOR_LABELS: Readonly<Record<RateIndicator, string>> = {
  'taux-dossiers-actifs': 'Taux de dossiers actifs',
  'taux-projet-personnalise': 'Taux de dossiers avec un projet personnalisé',
  'taux-evenement-agenda': "Taux de dossiers ayant au moins un événement dans l'agenda",
  'taux-mssante': 'Taux d’utilisation de la MSSanté',
  'taux-dmp': 'Taux d’utilisation du DMP',
};

/** What the numerator and denominator count, in plain words for a director. */
export const INDICATOR_COUNTS: Readonly<Record<RateIndicator, { numerator: string; denominator: string }>> = {
  'taux-dossiers-actifs': { numerator: 'dossiers mis à jour', denominator: 'personnes accompagnées' },
  'taux-projet-personnalise': { numerator: 'avec projet personnalisé', denominator: 'dossiers actifs' },
  'taux-evenement-agenda': { numerator: 'avec un événement', denominator: 'dossiers actifs' },
  'taux-mssante': { numerator: 'messages envoyés', denominator: 'personnes accompagnées' },
  'taux-dmp': { numerator: 'personnes avec DMP alimenté', denominator: 'personnes accompagnées' },
};
