import type { EstablishmentResultLike } from '../evidence/recompute.js';
import type { AttestationPage, Verdict } from './attestation-model.js';
import { frenchVerificationSummary } from './french/findings.js';
import { frenchLocalDateTime, frenchLongDate, territoryAt } from './french/dates.js';
import { NOUNS, count, frenchList, isPlural } from './french/plural.js';
import { curlyApostrophes } from './french/typography.js';
import type { ReportInput, ReportRun, TransmissionState } from './report-model.js';
import type { OrganisationGroup } from './build-attestation.js';
import { FINDINGS_ON_PAGE, MET, UNMET, BLANK } from './attestation-cells.js';

const VA_CONDITION =
  'la condition de la Vérification d’Aptitude (trois indicateurs non nuls : dossiers actifs, projet personnalisé, événement dans l’agenda)';

export function statement(
  run: ReportRun,
  group: OrganisationGroup,
  ready: readonly EstablishmentResultLike[],
  name: string | null,
  sealedCount: number,
): AttestationPage['statement'] {
  const total = group.establishments.length;
  const first = group.establishments[0];
  const period =
    first === undefined
      ? ''
      : ` (période de recueil du ${frenchLongDate(first.period.start)} au ${frenchLongDate(first.period.end)})`;
  const whom =
    group.organisation === null
      ? `responsable ${isPlural(total) ? 'des établissements et services' : 'de l’établissement ou du service'} ci-dessus`
      : `pour l’organisme gestionnaire ${name ?? ''} (FINESS juridique ${group.organisation.finess})`.replace(
          '  ',
          ' ',
        );
  // A partial attestation (--finess) says so: it covers some of the organisation's ESSMS, not all.
  const these =
    sealedCount > total
      ? `${isPlural(total) ? `des ${count(total, NOUNS.establishment)} listés` : 'du seul établissement ou service'} ci-dessus, sur les ${count(sealedCount, NOUNS.establishment)} de l’organisme gestionnaire`
      : isPlural(total)
        ? `des ${count(total, NOUNS.establishment)} listés ci-dessus`
        : 'de l’établissement ou du service ci-dessus';
  const paragraphs = [
    `Je soussigné(e) ${BLANK}, en qualité de ${BLANK}, ${whom}, atteste que les indicateurs d’usage du dossier usager informatisé présentés dans ce document ont été calculés pour la date de mesure du ${frenchLongDate(run.measureDate)}${period}, à partir des données du dossier usager informatisé ${these}.`,
  ];
  const notReady = group.establishments
    .filter((e) => !e.vaReady)
    .map((e) => displayName(e.name) ?? `ESSMS ${e.finess}`);
  if (ready.length === total) {
    paragraphs.push(
      total === 1
        ? `J’atteste que ${VA_CONDITION} est remplie pour cet établissement ou service.`
        : `J’atteste que ${VA_CONDITION} est remplie pour chacun de ces ${count(total, NOUNS.establishment)}.`,
    );
  } else if (ready.length === 0) {
    paragraphs.push(
      total === 1
        ? `Je constate que ${VA_CONDITION} n’est pas remplie pour ${frenchList(notReady)}.`
        : `Je constate que ${VA_CONDITION} n’est remplie pour aucun de ces ${count(total, NOUNS.establishment)} : ${frenchList(notReady)}.`,
    );
  } else {
    paragraphs.push(
      `J’atteste que ${VA_CONDITION} est remplie pour ${ready.length} des ${count(total, NOUNS.establishment)} ; elle ne l’est pas pour ${frenchList(notReady)}.`,
    );
  }
  return { paragraphs, fields: ['Fait à', 'Le', 'Signature (et cachet de l’organisme)'] };
}

export function evidenceVerdict(input: ReportInput): Verdict {
  const v = input.verification;
  if (v.nothingSealed) {
    return { tone: 'neutral', title: 'Aucun calcul scellé pour l’instant', lines: [] };
  }
  if (v.ok) {
    const lines = [
      'Le journal des preuves est intact et signé ; les chiffres de cette attestation ont été recalculés à partir des données scellées et concordent.',
    ];
    if (v.warnings > 0)
      lines.push(`${count(v.warnings, NOUNS.warning)}, sans effet sur les chiffres : voir l’annexe.`);
    return { tone: 'ok', title: `${MET} Preuves vérifiées`, lines };
  }
  const errors = v.findings.filter((f) => f.severity === 'error');
  return {
    tone: 'ko',
    title: `${UNMET} Preuves NON vérifiées : ${count(v.errors, NOUNS.problem)}`,
    lines: [
      'Ne signez pas : les preuves ne garantissent pas ces chiffres. Faites-les examiner par votre équipe informatique (détail en annexe).',
      ...frenchVerificationSummary(errors).slice(0, FINDINGS_ON_PAGE),
    ],
  };
}

/** What became of the submission; every time on the clock of `zone`, named (`… à 14 h 28 (La Réunion, UTC+4)`). */
export function transmissionText(state: TransmissionState, zone: string): string {
  const at = (iso: string): string => `${frenchLocalDateTime(iso, zone)} (${territoryAt(zone, iso)})`;
  switch (state.kind) {
    case 'received':
      return state.at === null
        ? 'transmise ; accusé de réception de l’ARS enregistré'
        : `transmise ; accusé de réception de l’ARS du ${at(state.at)}`;
    case 'refused':
      return `refusée par l’ARS${state.httpStatus === null ? '' : ` (code ${state.httpStatus})`}${state.at === null ? '' : ` le ${at(state.at)}`} : à corriger par l’équipe informatique, puis à renvoyer`;
    case 'overdue': {
      // The ARS may have answered (a 503) or not at all: say what is known, never "unreachable".
      const when = state.at === null ? '' : `, le ${at(state.at)}`;
      const last = state.httpStatus === null ? '' : `, dernière réponse de l’ARS : code ${state.httpStatus}`;
      return `non remise : sans accusé de réception de l’ARS à la date limite des nouvelles tentatives${when}${last} ; à renvoyer`;
    }
    case 'pending':
      if (state.pastDeadline)
        return 'en retard : toujours sans accusé de réception de l’ARS après la date limite';
      return state.resent
        ? 'renvoyée, en attente de l’accusé de réception de l’ARS'
        : 'en cours, en attente de l’accusé de réception de l’ARS';
    case 'not-configured':
      return 'non transmise : aucun point de collecte configuré';
  }
}

export function displayName(name: string | null): string | null {
  return name === null ? null : curlyApostrophes(name);
}
