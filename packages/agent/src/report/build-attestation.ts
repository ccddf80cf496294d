import { rollUpOrganisation } from '@esms-numerique/sdk';
import { RATE_INDICATORS, VA_INDICATORS } from '../evidence/recompute.js';
import type {
  EstablishmentResultLike,
  IndicatorResultsLike,
  OrganisationResultLike,
  RateIndicator,
  RateResultLike,
  ResultsLike,
} from '../evidence/recompute.js';
import type {
  AnnexBlock,
  AttestationDocument,
  AttestationPage,
  Cell,
  CoverPage,
  LinesFact,
  Table,
  TableRow,
  Verdict,
} from './attestation-model.js';
import { frenchQualityGroups, frenchVerificationSummary } from './french/findings.js';
import { frenchLocalDateTime, frenchLongDate, territoryAt, territoryWithOffset } from './french/dates.js';
import {
  ADJECTIVES,
  NOUNS,
  count,
  countWith,
  frenchInteger,
  frenchList,
  isPlural,
  verb,
} from './french/plural.js';
import { curlyApostrophes, frenchPercent, frenchTarget, hexGroupLines } from './french/typography.js';
import { INDICATOR_COLUMN_LABELS } from './labels.js';
import type { ReportInput, ReportRun, TransmissionState } from './report-model.js';
import type { SelectedReport, TrendPoint } from './select-report.js';

/** The three DUI indicators, then the two usage rates, in the programme's order. */
const DUI = VA_INDICATORS;
const USAGE: readonly RateIndicator[] = RATE_INDICATORS.filter((id) => !VA_INDICATORS.includes(id));
/** Verification findings quoted on the attestation page itself when the evidence fails (the rest: annex). */
const FINDINGS_ON_PAGE = 2;
const MET = '✓';
const UNMET = '✗';
const NO_RATE = '—';
/** Marks a figure on a page whose evidence does not verify. */
const UNVERIFIED = '(non vérifié)';
/** Blank to fill in by hand in the statement. */
const BLANK = '……………………………………';

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

interface OrganisationGroup {
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

function attestationPage(
  input: ReportInput,
  selected: SelectedReport,
  group: OrganisationGroup,
): AttestationPage {
  const { run } = selected;
  const { organisation, establishments } = group;
  const first = establishments[0];
  const zone = first?.timezone ?? 'Europe/Paris';
  const period = first?.period ?? { start: run.measureDate, end: run.measureDate };
  const samePeriod = establishments.every(
    (e) => e.period.start === period.start && e.period.end === period.end,
  );
  const territories = [...new Set(establishments.map((e) => territoryWithOffset(e.timezone, e.period)))];
  const ready = establishments.filter((e) => e.vaReady);
  const name = organisation === null ? null : displayName(organisation.name);
  const verification = input.verification;
  const invalid = !verification.ok;
  // The organisation's ESSMS in the sealed run: more than shown when --finess picked some of them.
  const sealedCount =
    organisation === null
      ? establishments.length
      : run.results.establishments.filter((e) => e.organisation === organisation.finess).length;
  const shown =
    sealedCount > establishments.length
      ? `${frenchInteger(establishments.length)} ESSMS sur ${frenchInteger(sealedCount)} (attestation partielle)`
      : count(establishments.length, NOUNS.essms);
  return {
    heading: 'Attestation d’usage du dossier usager informatisé',
    subheading:
      organisation === null
        ? `ESSMS sans organisme gestionnaire renseigné — ${count(establishments.length, NOUNS.essms)}`
        : `${name ?? 'Organisme gestionnaire'} — FINESS juridique ${organisation.finess} — ${shown}`,
    facts: [
      { label: 'Date de mesure', value: frenchLongDate(run.measureDate) },
      {
        label: 'Période de recueil',
        value: samePeriod
          ? `du ${frenchLongDate(period.start)} au ${frenchLongDate(period.end)} inclus, en heure locale`
          : 'propre à chaque ESSMS (voir l’annexe)',
      },
      { label: 'Heure locale', value: territories.join(' ; ') },
      {
        label: 'Vérification d’Aptitude',
        value: invalid
          ? 'non établie : les preuves ne sont pas vérifiées'
          : vaSummary(ready.length, establishments.length),
      },
      // Configured ESSMS the data holds nothing about: named on every page, so that no page reads as if
      // every ESSMS of the installation were counted.
      ...(selected.missingConfigured.length === 0
        ? []
        : [
            {
              label: 'ESSMS configurés absents des données',
              value: `${selected.missingConfigured.map((f) => `FINESS géographique ${f}`).join(', ')} : aucun chiffre, Vérification d’Aptitude non établie`,
            },
          ]),
      {
        label: 'Transmission à l’ARS',
        // Every time says whose clock it is on (the annex may name another ESSMS's territory).
        value: transmissionText(run.transmission, zone),
      },
    ],
    verdict: evidenceVerdict(input),
    table: figuresTable(group, territories.length > 1, !invalid),
    notes: invalid ? unverifiedNotes() : pageNotes(group),
    trend: trendSection(selected.trend, group, !invalid),
    evidence: {
      lines: [
        {
          label: 'Empreinte de la clé de signature des preuves',
          lines:
            verification.keyFingerprint === null ? ['inconnue'] : hexGroupLines(verification.keyFingerprint),
          mono: true,
        },
        {
          label:
            verification.lastSeq === null
              ? 'Empreinte de la dernière entrée du journal'
              : `Empreinte de la dernière entrée du journal (entrée n° ${verification.lastSeq})`,
          lines: verification.lastHash === null ? ['—'] : hexGroupLines(verification.lastHash),
          mono: true,
        },
      ],
      note: 'Elles permettent à un auditeur de vérifier que les preuves qu’il reçoit sont celles de cette attestation, sans modification.',
    },
    statement: invalid ? null : statement(run, group, ready, name, sealedCount),
    refusal: invalid
      ? 'Pas de signature : les preuves ne sont pas vérifiées. Une fois le problème corrigé par l’équipe informatique, produisez une nouvelle attestation.'
      : null,
  };
}

function vaSummary(ready: number, total: number): string {
  const indicators = 'les trois indicateurs du DUI';
  if (total === 1) {
    return ready === 1
      ? `oui : ${indicators} sont non nuls`
      : `non : ${indicators} ne sont pas tous non nuls`;
  }
  if (ready === 0) return `aucun des ${total} ESSMS n’a ${indicators} non nuls`;
  if (ready === total) return `les ${total} ESSMS ont ${indicators} non nuls`;
  return `${ready} ESSMS sur ${total} ${verb(ready, 'a', 'ont')} ${indicators} non nuls`;
}

/**
 * The ESSMS table: the three DUI indicators, the VA verdict, then MSSanté and DMP; the organisation's
 * total. Figures whose evidence does not verify are shown as read, marked "non vérifié", never judged
 * against their target (no ✓ on a figure that may have been tampered with).
 */
function figuresTable(group: OrganisationGroup, showTerritory: boolean, verified: boolean): Table {
  const cellOf = (r: RateResultLike): Cell => (verified ? rateCell(r) : unverifiedCell(r));
  const vaCell = (ok: boolean, main: string): Cell =>
    verified ? { small: '', main, tone: ok ? 'ok' : 'ko' } : { small: '', main: UNVERIFIED, tone: 'neutral' };
  const headers = [
    { title: 'ESSMS', subtitle: 'FINESS géographique' },
    ...DUI.map((id) => ({ title: INDICATOR_COLUMN_LABELS[id], subtitle: `cible ${targetOf(group, id)}` })),
    { title: 'Vérification d’Aptitude', subtitle: 'trois indicateurs non nuls' },
    ...USAGE.map((id) => ({ title: INDICATOR_COLUMN_LABELS[id], subtitle: `cible ${targetOf(group, id)}` })),
  ];
  const rows: TableRow[] = group.establishments.map((e) => ({
    title: displayName(e.name) ?? 'ESSMS sans nom',
    subtitle: showTerritory ? `${e.finess} · ${territoryWithOffset(e.timezone, e.period)}` : e.finess,
    cells: [
      ...DUI.map((id) => cellOf(e.indicators[id])),
      vaCell(e.vaReady, e.vaReady ? `${MET} oui` : `${UNMET} non`),
      ...USAGE.map((id) => cellOf(e.indicators[id])),
    ],
    total: false,
  }));
  if (group.establishments.length > 1) {
    const totals = totalsOf(group);
    const ready = group.establishments.filter((e) => e.vaReady).length;
    rows.push({
      title: group.organisation === null ? 'Ensemble de ces ESSMS' : 'Ensemble de l’organisme',
      subtitle: 'taux pondérés (sommes des numérateurs et des dénominateurs)',
      cells: [
        ...DUI.map((id) => cellOf(totals[id])),
        vaCell(ready === group.establishments.length, `${ready} sur ${group.establishments.length}`),
        ...USAGE.map((id) => cellOf(totals[id])),
      ],
      total: true,
    });
  }
  return { headers, rows };
}

function targetOf(group: OrganisationGroup, id: RateIndicator): string {
  return frenchTarget(group.establishments[0]?.indicators[id].target ?? 0);
}

function rateCell(r: RateResultLike, withCounts = true): Cell {
  const small = withCounts ? `${frenchInteger(r.numerator)} / ${frenchInteger(r.denominator)}` : '';
  if (r.rate === null) return { small, main: NO_RATE, tone: 'ko' };
  return { small, main: `${frenchPercent(r.rate)} ${r.met ? MET : UNMET}`, tone: r.met ? 'ok' : 'ko' };
}

/** A figure of evidence that does not verify: as read, no symbol, no colour, marked as such. */
function unverifiedCell(r: RateResultLike, withCounts = true): Cell {
  const small = withCounts ? `${frenchInteger(r.numerator)} / ${frenchInteger(r.denominator)}` : '';
  return { small, main: `${frenchPercent(r.rate)} ${UNVERIFIED}`, tone: 'neutral' };
}

function unverifiedNotes(): string[] {
  return [
    `Chiffres NON vérifiés : ils sont reproduits tels que lus dans les preuves, qui ne les garantissent pas ; ils ne sont comparés à aucune cible (${UNVERIFIED}). Au-dessus de chaque taux : numérateur / dénominateur.`,
  ];
}

/** The organisation's weighted rates, or, for ESSMS without one, the SDK's roll-up rule over them. */
function totalsOf(group: OrganisationGroup): Record<RateIndicator, RateResultLike> {
  if (group.organisation !== null) return pickRates(group.organisation.indicators);
  return summedRates(group.establishments);
}

/** Numerators and denominators summed, then divided (never an average of rates): the SDK's roll-up. */
function summedRates(members: readonly EstablishmentResultLike[]): Record<RateIndicator, RateResultLike> {
  return pickRates(rollUpOrganisation({ finess: '', name: null }, members).indicators);
}

function pickRates(indicators: IndicatorResultsLike): Record<RateIndicator, RateResultLike> {
  return Object.fromEntries(RATE_INDICATORS.map((id) => [id, indicators[id]])) as Record<
    RateIndicator,
    RateResultLike
  >;
}

function pageNotes(group: OrganisationGroup): string[] {
  const notes = [
    `${MET} cible atteinte ; ${UNMET} cible non atteinte ; ${NO_RATE} taux non calculable (aucune personne au dénominateur). Au-dessus de chaque taux : numérateur / dénominateur.`,
  ];
  // One line per reason, naming every ESSMS it concerns: short for one ESSMS, still short for seventy.
  const byReason = new Map<string, string[]>();
  for (const e of group.establishments) {
    if (e.vaReady) continue;
    const name = displayName(e.name) ?? `ESSMS ${e.finess}`;
    for (const { reason, detail } of vaReasons(e.indicators)) {
      byReason.set(reason, [...(byReason.get(reason) ?? []), detail === '' ? name : `${name} (${detail})`]);
    }
  }
  for (const [reason, names] of byReason) {
    notes.push(
      `${verb(names.length, 'Ne remplit pas', 'Ne remplissent pas')} la condition de la Vérification d’Aptitude, ${reason} : ${frenchList(names)}.`,
    );
  }
  if (group.establishments.some((e) => (e.indicators['taux-mssante'].rate ?? 0) > 100)) {
    notes.push('Le taux MSSanté compte des messages envoyés et non des personnes : il peut dépasser 100 %.');
  }
  return notes;
}

/** Why an ESSMS is not VA-ready: a reason shared by ESSMS (to group them), and its own figures. */
function vaReasons(indicators: IndicatorResultsLike): { reason: string; detail: string }[] {
  if (VA_INDICATORS.every((id) => indicators[id].denominator === 0)) {
    return [{ reason: 'aucune personne accompagnée sur la période (aucun taux calculable)', detail: '' }];
  }
  return VA_INDICATORS.flatMap((id) => {
    const r = indicators[id];
    const label = INDICATOR_COLUMN_LABELS[id].toLowerCase();
    if (r.denominator === 0) {
      return [
        { reason: `indicateur « ${label} » non calculable (aucun dossier au dénominateur)`, detail: '' },
      ];
    }
    if (r.numerator === 0) {
      return [{ reason: `indicateur « ${label} » nul`, detail: `0 sur ${frenchInteger(r.denominator)}` }];
    }
    return [];
  });
}

function trendSection(
  trend: readonly TrendPoint[],
  group: OrganisationGroup,
  verified: boolean,
): AttestationPage['trend'] {
  const finess = new Set(group.establishments.map((e) => e.finess));
  const rows: TableRow[] = trend.flatMap((point) => {
    const members = point.results.establishments.filter((e) => finess.has(e.finess));
    if (members.length === 0) return [];
    const organisation =
      group.organisation === null
        ? null
        : (point.results.organisations.find((o) => o.finess === group.organisation?.finess) ?? null);
    const rates = organisation !== null ? pickRates(organisation.indicators) : summedRates(members);
    return [
      {
        title: frenchLongDate(point.measureDate),
        subtitle: '',
        cells: RATE_INDICATORS.map((id) =>
          verified ? rateCell(rates[id], false) : unverifiedCell(rates[id], false),
        ),
        total: false,
      },
    ];
  });
  const title =
    group.establishments.length > 1
      ? 'Évolution des taux de l’ensemble, sur les dernières mesures scellées'
      : 'Évolution des taux, sur les dernières mesures scellées';
  if (rows.length < 2) {
    return { title, table: null, note: 'Première mesure scellée : pas encore d’évolution à montrer.' };
  }
  return {
    title,
    table: {
      headers: [
        { title: 'Date de mesure', subtitle: '' },
        ...RATE_INDICATORS.map((id) => ({ title: INDICATOR_COLUMN_LABELS[id], subtitle: '' })),
      ],
      rows,
    },
    note: `${count(rows.length, NOUNS.measure)}, de la plus ancienne à la plus récente.`,
  };
}

const VA_CONDITION =
  'la condition de la Vérification d’Aptitude (trois indicateurs non nuls : dossiers actifs, projet personnalisé, événement dans l’agenda)';

function statement(
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

function evidenceVerdict(input: ReportInput): Verdict {
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
function transmissionText(state: TransmissionState, zone: string): string {
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

function displayName(name: string | null): string | null {
  return name === null ? null : curlyApostrophes(name);
}

function annex(
  input: ReportInput,
  selected: SelectedReport,
  options: BuildOptions,
): NonNullable<AttestationDocument['annex']> {
  const { run, results } = selected;
  const v = input.verification;
  const zone = results.establishments[0]?.timezone ?? 'Europe/Paris';
  // Without an ARS, nothing was or will be sent: no submission to name, no transmitted bytes to check.
  const sent = run.transmission.kind !== 'not-configured';
  const blocks: AnnexBlock[] = [
    {
      kind: 'facts',
      title: 'Calcul attesté',
      facts: [
        fact('Date de mesure', frenchLongDate(run.measureDate)),
        fact('Identifiant du calcul', run.runId, true),
        fact('Entrée du journal', `n° ${run.seq}`),
        fact(
          'Scellé le',
          `${frenchLocalDateTime(run.sealedAt, zone)} (${territoryAt(zone, run.sealedAt)}) — ${run.sealedAt}`,
        ),
        fact('Version du logiciel', `esms ${run.softwareVersion}`),
        fact('Transmission à l’ARS', transmissionText(run.transmission, zone)),
        ...(sent
          ? [{ label: 'Identifiant de transmission', lines: hexGroupLines(run.submissionId), mono: true }]
          : []),
      ],
    },
    {
      kind: 'facts',
      title: 'Empreintes SHA-256 des données scellées',
      facts: [
        { label: 'Entrée du calcul dans le journal', lines: hexGroupLines(run.entryHash), mono: true },
        {
          label: 'Données du calcul (pseudonymisées : ni nom, ni INS, ni texte libre)',
          lines: hexGroupLines(run.digests.projection),
          mono: true,
        },
        { label: 'Résultats', lines: hexGroupLines(run.digests.results), mono: true },
        {
          label: 'Listes de personnes (pseudonymes)',
          lines: hexGroupLines(run.digests.subjects),
          mono: true,
        },
        ...(sent
          ? [
              {
                label: 'Données transmises à l’ARS',
                lines: hexGroupLines(run.digests.submission),
                mono: true,
              },
            ]
          : []),
      ],
    },
    journalBlock(input, false),
    verificationFindingsBlock(input),
    howToVerify(v.keyFingerprint, options),
    {
      kind: 'list',
      title: 'Qualité des données du calcul',
      intro:
        'Ce que le calcul a relevé dans les données du DUI : chaque enregistrement inutilisable est écarté et signalé, jamais ignoré en silence.',
      items: qualityItems(results, essmsNames(selected.run.results)),
    },
    detailTable(results),
  ];
  if (selected.missingConfigured.length > 0) {
    blocks.push({
      kind: 'list',
      title: 'ESSMS configurés sans chiffres dans ce calcul',
      intro:
        'Ces ESSMS figurent dans la configuration mais aucun séjour ne les concerne dans les données lues :',
      items: selected.missingConfigured.map((f) => `FINESS géographique ${f}`),
    });
  }
  return {
    heading: 'Annexe technique',
    intro: `Pour l’équipe informatique et pour un auditeur : ce qui permet de vérifier, sans faire confiance à l’éditeur du logiciel, que les chiffres de l’attestation sont ceux calculés et ${sent ? 'transmis' : 'scellés'}.`,
    blocks,
  };
}

function verificationOnlyAnnex(
  input: ReportInput,
  options: BuildOptions,
): NonNullable<AttestationDocument['annex']> {
  return {
    heading: 'Annexe technique',
    intro: 'Pour l’équipe informatique : ce que la vérification des preuves a constaté.',
    blocks: [
      journalBlock(input, true),
      verificationFindingsBlock(input),
      howToVerify(input.verification.keyFingerprint, options),
    ],
  };
}

/**
 * The journal's state. The key fingerprint and the head hash are given in full on each attestation page
 * ("Ce que vérifie un auditeur"); the annex repeats them only when there is no such page.
 */
function journalBlock(input: ReportInput, withFingerprints: boolean): AnnexBlock {
  const v = input.verification;
  const fingerprints: LinesFact[] = [
    {
      label: 'Empreinte de la clé de signature (Ed25519)',
      lines: v.keyFingerprint === null ? ['inconnue'] : hexGroupLines(v.keyFingerprint),
      mono: true,
    },
    {
      label: v.lastSeq === null ? 'Dernière entrée' : `Empreinte de la dernière entrée (n° ${v.lastSeq})`,
      lines: v.lastHash === null ? ['—'] : hexGroupLines(v.lastHash),
      mono: true,
    },
  ];
  return {
    kind: 'facts',
    title: 'Journal des preuves',
    facts: [
      fact(
        'Entrées',
        v.ok
          ? `${countWith(v.entries, NOUNS.entry, ADJECTIVES.intact)}, chaînées et signées`
          : count(v.entries, NOUNS.entry),
      ),
      fact(
        'Calculs vérifiés',
        `${countWith(v.runsRecomputed, NOUNS.run, ADJECTIVES.recomputed)} à partir des données scellées`,
      ),
      ...(withFingerprints ? fingerprints : []),
    ],
  };
}

function verificationFindingsBlock(input: ReportInput): AnnexBlock {
  const findings = input.verification.findings.filter((f) => f.severity !== 'info');
  return {
    kind: 'list',
    title: 'Constats de la vérification des preuves',
    intro:
      findings.length === 0
        ? null
        : `${count(input.verification.errors, NOUNS.problem)}, ${count(input.verification.warnings, NOUNS.warning)} :`,
    items:
      findings.length === 0
        ? [
            'Aucun constat : chaque empreinte, chaque lien et chaque signature concordent, et chaque chiffre a été recalculé.',
          ]
        : frenchVerificationSummary(findings),
  };
}

function qualityItems(results: ResultsLike, names: ReadonlyMap<string, string | null>): string[] {
  const groups = frenchQualityGroups(results.dataQuality, names);
  if (groups.length === 0) return ['Aucun constat.'];
  return groups.map((g) => `${g.severity === 'error' ? 'Erreur' : 'Avertissement'} : ${g.text}.`);
}

/** Every ESSMS of the run by FINESS, with its name: findings name the ESSMS they concern. */
function essmsNames(results: ResultsLike): Map<string, string | null> {
  return new Map(results.establishments.map((e) => [e.finess, e.name]));
}

function detailTable(results: ResultsLike): AnnexBlock {
  const establishments = [...results.establishments].sort((a, b) => a.finess.localeCompare(b.finess));
  return {
    kind: 'table',
    title: 'Détail par ESSMS',
    table: {
      headers: [
        { title: 'ESSMS', subtitle: 'FINESS géographique' },
        { title: 'Personnes accompagnées', subtitle: 'sur la période' },
        { title: 'Dossiers actifs', subtitle: 'mis à jour' },
        { title: 'File active', subtitle: 'année civile' },
        { title: 'E-prescriptions', subtitle: 'importées' },
        { title: 'Échanges e-parcours', subtitle: 'sur la période' },
      ],
      rows: establishments.map((e) => ({
        title: displayName(e.name) ?? 'ESSMS sans nom',
        subtitle: `${e.finess} · ${territoryWithOffset(e.timezone, e.period)}`,
        cells: [
          plain(frenchInteger(e.indicators['taux-dossiers-actifs'].denominator)),
          plain(frenchInteger(e.dossiersActifs)),
          plain(frenchInteger(e.fileActive)),
          plain(frenchInteger(e.indicators['e-prescriptions-importees'].total)),
          plain(
            frenchInteger(e.indicators['echanges-e-parcours'].total),
            e.indicators['echanges-e-parcours'].sinceProjectStart === null
              ? ''
              : `${frenchInteger(e.indicators['echanges-e-parcours'].sinceProjectStart ?? 0)} depuis le début du projet`,
          ),
        ],
        total: false,
      })),
    },
  };
}

function howToVerify(fingerprint: string | null, options: BuildOptions): AnnexBlock {
  const store = options.store ?? { option: '--config', path: 'esms.config.yaml' };
  // Each option on its own line (shell continuations), so that no line breaks inside the quoted fingerprint.
  return {
    kind: 'text',
    title: 'Vérifier les preuves soi-même',
    paragraphs: [
      'Sur le poste de l’agent, exporter les preuves dans un seul fichier ; chez l’auditeur, hors ligne, les vérifier et recalculer chaque chiffre. La vérification doit afficher la même empreinte de clé et la même empreinte de dernière entrée que cette attestation.',
    ],
    commands: [
      `esms export-evidence ${store.option} ${shellWord(store.path)} \\\n  --out preuves.tar`,
      `esms verify preuves.tar \\\n  --fingerprint "${fingerprint ?? 'EMPREINTE'}"`,
    ],
  };
}

/** A path as one shell word (quoted when it holds anything but safe characters). */
function shellWord(value: string): string {
  return /^[\w./@%+=:,-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
}

function fact(label: string, value: string, mono = false): LinesFact {
  return { label, lines: [value], mono };
}

function plain(main: string, small = ''): Cell {
  return { small, main, tone: 'neutral' };
}
