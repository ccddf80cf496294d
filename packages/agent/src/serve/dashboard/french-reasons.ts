import {
  INDICATORS,
  RATE_INDICATOR_IDS,
  type ExclusionReason,
  type RateIndicatorId,
} from '@esms-numerique/sdk';

/** Why a dossier does not count, in the words staff use (the code stays beside it, in the CSV too). */
export const EXCLUSION_REASON_LABELS: Readonly<Record<ExclusionReason, string>> = {
  'no-update-in-period': 'Dossier non mis à jour pendant la période',
  'not-accompanied-in-period': 'Personne non accompagnée pendant la période',
  'no-projet-personnalise': 'Aucun projet personnalisé',
  'projet-personnalise-on-hold': 'Projet personnalisé en pause',
  'projet-personnalise-not-current': 'Projet personnalisé terminé ou pas encore en cours',
  'no-event-in-period': 'Aucun événement dans l’agenda pendant la période',
  'no-dmp-document-in-period': 'Aucun document versé au DMP pendant la période',
};

/**
 * The indicators whose numerator counts persons, hence a worklist of dossiers: the registry's rates of
 * scoring `proportion`. A `ratio` (`taux-mssante`) counts messages sent, not persons, so no dossier is
 * "missing" from it.
 */
export const WORKLIST_INDICATORS = RATE_INDICATOR_IDS.filter(
  (id): id is WorklistIndicator => INDICATORS[id].scoring === 'proportion',
);
/**
 * The same ids as a type, for the French goals below (the registry's scoring is not known per id at the
 * type level); french-reasons.test.ts checks that it names exactly the registry's proportions.
 */
export type WorklistIndicator = Exclude<RateIndicatorId, 'taux-mssante'>;

export function isWorklistIndicator(id: string): id is WorklistIndicator {
  return (WORKLIST_INDICATORS as readonly string[]).includes(id);
}

/** What one more dossier must have to count: "7 dossiers de plus mis à jour → 90 % atteint". */
export const WORKLIST_GOAL: Readonly<Record<WorklistIndicator, { one: string; many: string }>> = {
  'taux-dossiers-actifs': { one: 'mis à jour', many: 'mis à jour' },
  'taux-projet-personnalise': {
    one: 'avec un projet personnalisé en cours',
    many: 'avec un projet personnalisé en cours',
  },
  'taux-evenement-agenda': {
    one: 'avec un événement dans l’agenda',
    many: 'avec un événement dans l’agenda',
  },
  'taux-dmp': { one: 'avec un document versé au DMP', many: 'avec un document versé au DMP' },
};
