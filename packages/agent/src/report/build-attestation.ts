import type { EstablishmentResultLike, OrganisationResultLike, ResultsLike } from '../evidence/recompute.js';
import type { AttestationDocument, CoverPage } from './attestation-model.js';
import { frenchLongDate } from './french/dates.js';
import type { ReportInput } from './report-model.js';
import type { SelectedReport } from './select-report.js';
import { attestationPage } from './attestation-page.js';
import { evidenceVerdict } from './attestation-statement.js';
import { annex, verificationOnlyAnnex } from './attestation-annex.js';

export interface BuildOptions {
  /** `esms 0.1.0`: the document's author. */
  agent: string;
  /**
   * Where the report read the store (`--config FILE` or `--evidence-dir DIR`), for the annex's copyable
   * export command; default `--config esms.config.yaml`.
   */
  store?: { option: '--config' | '--evidence-dir'; path: string };
}

/**
 * The signatory's document for a selected run: one attestation per organisme gestionnaire (D and P, the
 * figures of each ESSMS against their targets, the VA verdict, the trend, the two fingerprints an auditor
 * checks, and the statement to sign), then one technical annex. With nothing to attest (nothing sealed
 * yet, or no run readable), a single neutral or red page.
 */
export function buildAttestation(
  input: ReportInput,
  selected: SelectedReport | null,
  options: BuildOptions,
): AttestationDocument {
  const metadata = {
    title:
      selected === null
        ? 'Attestation ESMS numérique'
        : `Attestation d’usage du DUI — ESMS numérique — mesure du ${frenchLongDate(selected.run.measureDate)}`,
    author: options.agent,
    subject: 'Indicateurs d’usage du dossier usager informatisé (ESMS numérique, Ségur du numérique)',
    createdAt: input.generatedAt,
  };
  if (selected === null) {
    return {
      metadata,
      footer: 'ESMS numérique — attestation',
      cover: coverPage(input),
      pages: [],
      annex: input.verification.nothingSealed ? null : verificationOnlyAnnex(input, options),
    };
  }
  const groups = groupByOrganisation(selected.results);
  return {
    metadata,
    footer: `ESMS numérique — attestation pour la mesure du ${frenchLongDate(selected.run.measureDate)}`,
    cover: null,
    pages: groups.map((group) => attestationPage(input, selected, group)),
    annex: annex(input, selected, options),
  };
}

function coverPage(input: ReportInput): CoverPage {
  if (input.verification.nothingSealed) {
    return {
      heading: 'Attestation d’usage du DUI — ESMS numérique',
      verdict: {
        tone: 'neutral',
        title: 'Aucun calcul scellé pour l’instant',
        lines: ['Il n’y a encore rien à vérifier ni à signer.'],
      },
      paragraphs: [
        'Les indicateurs sont calculés chaque mois par l’agent ESMS numérique, puis scellés dans le journal des preuves avant leur transmission à l’ARS. Aucun calcul n’a encore été scellé sur cette installation.',
        'Dès le premier calcul mensuel, cette attestation présentera les indicateurs de chaque établissement et service, prête à être signée.',
      ],
    };
  }
  return {
    heading: 'Attestation d’usage du DUI — ESMS numérique',
    verdict: evidenceVerdict(input),
    paragraphs: [
      'Aucun calcul scellé n’a pu être lu dans les preuves : aucun chiffre ne peut être attesté.',
      'Transmettez ce document à votre équipe informatique : le détail des constats figure en annexe.',
    ],
  };
}

export interface OrganisationGroup {
  organisation: OrganisationResultLike | null;
  establishments: EstablishmentResultLike[];
}

function groupByOrganisation(results: ResultsLike): OrganisationGroup[] {
  const establishments = [...results.establishments].sort((a, b) => a.finess.localeCompare(b.finess));
  const groups: OrganisationGroup[] = [...results.organisations]
    .sort((a, b) => a.finess.localeCompare(b.finess))
    .map((organisation) => ({
      organisation,
      establishments: establishments.filter((e) => organisation.establishments.includes(e.finess)),
    }))
    .filter((g) => g.establishments.length > 0);
  const placed = new Set(groups.flatMap((g) => g.establishments.map((e) => e.finess)));
  const alone = establishments.filter((e) => !placed.has(e.finess));
  if (alone.length > 0) groups.push({ organisation: null, establishments: alone });
  return groups;
}
