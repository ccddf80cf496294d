import { INDICATORS, POPULATIONS } from '@esms-numerique/sdk';
import type { ResultsLike } from '../evidence/recompute.js';
import type { AnnexBlock, AttestationDocument, LinesFact } from './attestation-model.js';
import { frenchQualityGroups, frenchVerificationSummary } from './french/findings.js';
import { frenchLocalDateTime, frenchLongDate, territoryAt, territoryWithOffset } from './french/dates.js';
import { ADJECTIVES, NOUNS, count, countWith, frenchInteger } from './french/plural.js';
import { hexGroupLines } from './french/typography.js';
import type { ReportInput } from './report-model.js';
import type { SelectedReport } from './select-report.js';
import type { BuildOptions } from './build-attestation.js';
import { transmissionText, displayName } from './attestation-statement.js';
import { fact, plain } from './attestation-cells.js';

export function annex(
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

export function verificationOnlyAnnex(
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
        { title: sentenceCase(POPULATIONS['persons-accompanied'].label), subtitle: 'sur la période' },
        { title: INDICATORS['dossiers-actifs'].heading, subtitle: 'mis à jour' },
        { title: INDICATORS['file-active'].heading, subtitle: 'année civile' },
        { title: INDICATORS['e-prescriptions-importees'].heading, subtitle: 'importées' },
        { title: INDICATORS['echanges-e-parcours'].heading, subtitle: 'sur la période' },
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

/** `personnes accompagnées` → `Personnes accompagnées`: a population's label as a column title. */
function sentenceCase(label: string): string {
  return label.charAt(0).toUpperCase() + label.slice(1);
}
