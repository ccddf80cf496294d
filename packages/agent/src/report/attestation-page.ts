import { INDICATORS } from '@esms-numerique/sdk';
import { RATE_INDICATORS, VA_INDICATORS, type IndicatorResultsLike } from '../evidence/recompute.js';
import type { AttestationPage, TableRow } from './attestation-model.js';
import { frenchLongDate, territoryWithOffset } from './french/dates.js';
import { NOUNS, count, frenchInteger, frenchList, verb } from './french/plural.js';
import { hexGroupLines } from './french/typography.js';
import { INDICATOR_COLUMN_LABELS } from './labels.js';
import type { ReportInput } from './report-model.js';
import type { SelectedReport, TrendPoint } from './select-report.js';
import type { OrganisationGroup } from './build-attestation.js';
import {
  figuresTable,
  rateCell,
  unverifiedCell,
  unverifiedNotes,
  summedRates,
  pickRates,
} from './figures-table.js';
import { statement, evidenceVerdict, transmissionText, displayName } from './attestation-statement.js';
import { MET, UNMET, NO_RATE } from './attestation-cells.js';

export function attestationPage(
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
  // A ratio's numerator is not a subset of its denominator (messages, not persons): its rate may pass 100 %.
  for (const id of RATE_INDICATORS.filter((rate) => INDICATORS[rate].scoring === 'ratio')) {
    const { heading, numerator } = INDICATORS[id];
    if (group.establishments.some((e) => (e.indicators[id].rate ?? 0) > 100)) {
      notes.push(
        `Le taux ${heading} compte des ${numerator.label} et non des personnes : il peut dépasser 100 %.`,
      );
    }
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
