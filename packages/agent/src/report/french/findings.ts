import type { VerificationCheck, VerificationFinding } from '../../evidence/verification-report.js';
import { NOUNS, count, frenchList, isPlural } from './plural.js';
import { curlyApostrophes } from './typography.js';
import { isRecord } from '../../shared/is-record.js';
import type { Noun } from './plural.js';

/**
 * Every verification finding and data-quality finding, said in French for the report (the agent's logs and
 * `esms verify` speak English to IT teams; the report speaks to a director and an auditor).
 */

/** What each verification check means when it fails, in French. */
const CHECK_TEXT: Readonly<Record<VerificationCheck, string>> = {
  input: 'les preuves n’ont pas pu être lues',
  bundle:
    'l’archive de preuves n’a pas la forme attendue (un seul dossier de preuves, à l’emplacement prévu)',
  manifest: 'le sommaire (MANIFEST) de l’archive contredit le journal qu’elle contient',
  'public-key': 'la clé publique des preuves est absente ou illisible',
  'wrong-key': 'les preuves sont signées avec une autre clé que la clé attendue',
  'key-rotation': 'un changement de clé de signature n’est pas valide (non signé par la clé précédente)',
  journal: 'le journal des preuves est absent ou illisible',
  'entry-format': 'une ligne du journal est illisible',
  'incomplete-last-entry':
    'la dernière ligne du journal est incomplète (écriture interrompue par un arrêt brutal ; les entrées précédentes ne sont pas touchées)',
  seq: 'une entrée du journal manque ou n’est pas à sa place',
  'prev-hash':
    'le chaînage avec l’entrée précédente est rompu : une entrée a été retirée, déplacée ou remplacée',
  hash: 'le contenu de l’entrée ne correspond plus à son empreinte : l’entrée a été modifiée',
  signature: 'la signature de l’entrée n’est pas valide',
  'blob-missing': 'un fichier de preuve auquel l’entrée renvoie est absent',
  'blob-digest': 'un fichier de preuve a été modifié (son contenu ne correspond plus à son empreinte)',
  projection: 'les données scellées du calcul sont illisibles ou incomplètes',
  recompute:
    'les chiffres recalculés à partir des données scellées diffèrent des chiffres scellés, ou n’ont pas pu être recalculés',
  results: 'les résultats scellés sont illisibles ou ne concordent pas avec le recalcul',
  submission: 'les données transmises à l’ARS ne concordent pas avec les chiffres scellés',
  'evidence-seal':
    'le sceau des preuves porté par les données transmises ne correspond pas à l’entrée qui les a scellées',
  subjects: 'les listes de personnes scellées (pseudonymisées) ne concordent pas avec le recalcul',
  receipt: 'un accusé de réception ou un échec de transmission ne renvoie à aucun calcul scellé',
  anchor:
    'un accusé de réception de l’ARS renvoie à un sceau qui ne figure pas dans le journal (historique réécrit ou tronqué)',
  'expected-head':
    'l’empreinte attendue de la dernière entrée (celle de l’attestation signée ou de l’ARS) ne figure pas dans le journal',
  timestamp: 'un horodatage qualifié (RFC 3161) est absent, invalide ou ne correspond pas à son entrée',
  measures:
    'les définitions des indicateurs scellées diffèrent de celles de cette version du logiciel (à signaler, sans effet sur la preuve)',
  retention: 'des entrées sont plus anciennes que la durée de conservation configurée (rien n’est supprimé)',
};

const SEVERITY_TEXT = { error: 'Problème', warning: 'Avertissement', info: 'Information' } as const;

/** One verification finding in French: `Problème, entrée n° 3 : le contenu de l’entrée … a été modifié`. */
export function frenchVerificationFinding(
  finding: Pick<VerificationFinding, 'seq' | 'check' | 'severity'>,
): string {
  const where = finding.seq === null ? '' : `, entrée n° ${finding.seq}`;
  return `${SEVERITY_TEXT[finding.severity]}${where} : ${CHECK_TEXT[finding.check]}`;
}

/** The same check failing on several entries is said once, with the entries: `entrées n° 3, 5 et 7`. */
export function frenchVerificationSummary(
  findings: readonly Pick<VerificationFinding, 'seq' | 'check' | 'severity'>[],
): string[] {
  const groups = new Map<
    string,
    { severity: VerificationFinding['severity']; check: VerificationCheck; seqs: (number | null)[] }
  >();
  // A modified entry no longer has its hash, so the next entry's link to it breaks too: that broken
  // link is the same problem, said once (as "modified"), not as a second "removed or moved" entry.
  const modified = new Set(findings.filter((f) => f.check === 'hash' && f.seq !== null).map((f) => f.seq));
  for (const f of findings) {
    if (f.check === 'prev-hash' && f.seq !== null && modified.has(f.seq - 1)) continue;
    const key = `${f.severity}|${f.check}`;
    const group = groups.get(key) ?? { severity: f.severity, check: f.check, seqs: [] };
    group.seqs.push(f.seq);
    groups.set(key, group);
  }
  const order = { error: 0, warning: 1, info: 2 } as const;
  return [...groups.values()]
    .sort((a, b) => order[a.severity] - order[b.severity])
    .map((g) => {
      const seqs = [...new Set(g.seqs.filter((s): s is number => s !== null))].sort((a, b) => a - b);
      const where =
        seqs.length === 0
          ? ''
          : seqs.length === 1
            ? `, entrée n° ${seqs[0] ?? ''}`
            : `, entrées n° ${seqs.slice(0, -1).join(', ')} et ${seqs.at(-1) ?? ''}`;
      return `${SEVERITY_TEXT[g.severity]}${where} : ${CHECK_TEXT[g.check]}`;
    });
}

/**
 * A data-quality code in French: what the counted things are, and what it means for the figures, in the
 * singular (0 or 1) and in the plural (2 and more): every word agrees.
 */
interface QualityText {
  noun: Noun;
  one: string;
  many: string;
}

const RECORD = NOUNS.record;

const QUALITY_TEXT: Readonly<Record<string, QualityText>> = {
  'invalid-resource': {
    noun: RECORD,
    one: 'illisible ou mal formé, ignoré par le calcul',
    many: 'illisibles ou mal formés, ignorés par le calcul',
  },
  'unknown-subject': {
    noun: RECORD,
    one: 'renvoyant à une personne absente des données, ignoré',
    many: 'renvoyant à une personne absente des données, ignorés',
  },
  'unknown-establishment': {
    noun: RECORD,
    one: 'de séjour sans établissement identifiable par son numéro FINESS, non compté',
    many: 'de séjour sans établissement identifiable par son numéro FINESS, non comptés',
  },
  'finess-format': {
    noun: RECORD,
    one: 'avec un numéro FINESS mal formé : l’établissement concerné est exclu',
    many: 'avec un numéro FINESS mal formé : les établissements concernés sont exclus',
  },
  'finess-key': {
    noun: RECORD,
    one: 'avec un numéro FINESS dont la clé de contrôle est fausse (accepté ; à corriger dans le DUI)',
    many: 'avec un numéro FINESS dont la clé de contrôle est fausse (acceptés ; à corriger dans le DUI)',
  },
  'period-inverted': {
    noun: RECORD,
    one: 'de séjour dont la fin précède le début, non compté',
    many: 'de séjour dont la fin précède le début, non comptés',
  },
  'period-missing': {
    noun: RECORD,
    one: 'de séjour sans date de début, non compté',
    many: 'de séjour sans date de début, non comptés',
  },
  'duplicate-person': {
    noun: NOUNS.person,
    one: 'enregistrée deux fois avec le même INS, comptée une seule fois (doublon à fusionner dans le DUI)',
    many: 'enregistrées plusieurs fois avec le même INS, comptées une seule fois (doublons à fusionner dans le DUI)',
  },
  'duplicate-record': {
    noun: RECORD,
    one: 'reçu en double, compté une seule fois',
    many: 'reçus en double, comptés une seule fois',
  },
  'history-missing': {
    noun: RECORD,
    one: 'modifié après la fin de la période sans historique de ses modifications : une mise à jour faite pendant la période puis écrasée n’a pas pu être vue',
    many: 'modifiés après la fin de la période sans historique de leurs modifications : une mise à jour faite pendant la période puis écrasée n’a pas pu être vue',
  },
  'unattributed-event': {
    noun: RECORD,
    one: 'd’usage (MSSanté, DMP…) rattaché à aucun ESSMS, non compté',
    many: 'd’usage (MSSanté, DMP…) rattachés à aucun ESSMS, non comptés',
  },
  'timezone-unknown': {
    noun: NOUNS.essms,
    one: 'dont le fuseau horaire est inconnu, calculé à l’heure de Paris',
    many: 'dont le fuseau horaire est inconnu, calculés à l’heure de Paris',
  },
  'empty-denominator': {
    noun: NOUNS.essms,
    one: 'sans aucune personne ou aucun dossier actif au dénominateur : ses taux concernés ne sont pas calculables',
    many: 'sans aucune personne ou aucun dossier actif au dénominateur : leurs taux concernés ne sont pas calculables',
  },
  'unreadable-input': {
    noun: NOUNS.file,
    one: 'de données illisible, ignoré',
    many: 'de données illisibles, ignorés',
  },
  'input-incomplete': {
    noun: NOUNS.file,
    one: 'de données lu incomplètement',
    many: 'de données lus incomplètement',
  },
  'establishment-not-configured': {
    noun: NOUNS.essms,
    one: 'présent dans les données mais absent de la configuration : ni scellé, ni transmis',
    many: 'présents dans les données mais absents de la configuration : ni scellés, ni transmis',
  },
  'establishment-absent': {
    noun: NOUNS.essms,
    one: 'de la configuration absent des données lues : aucun chiffre, Vérification d’Aptitude non établie',
    many: 'de la configuration absents des données lues : aucun chiffre, Vérification d’Aptitude non établie',
  },
};

export interface QualityGroup {
  code: string;
  severity: 'error' | 'warning';
  /** How many things the findings of this code cover (a summarising finding counts its `count`). */
  total: number;
  /** The ESSMS the findings name (`finess`), in order, without repetition. */
  finess: string[];
  /** `279 enregistrements modifiés après la fin de la période …`, then the ESSMS concerned. */
  text: string;
}

/** ESSMS named after a finding, at most; the rest are counted (`et 12 autres`). */
const ESSMS_NAMED = 8;

/**
 * Data-quality findings grouped by code, each said in French with its count (`count` of a summarising
 * finding, else one per finding). Unknown codes (from a newer engine) are kept, named by their code.
 */
export function frenchQualityGroups(
  dataQuality: { errors: readonly unknown[]; warnings: readonly unknown[] },
  names: ReadonlyMap<string, string | null> = new Map(),
): QualityGroup[] {
  const groups = new Map<string, Omit<QualityGroup, 'text'>>();
  const add = (finding: unknown, severity: 'error' | 'warning'): void => {
    const record = isRecord(finding) ? finding : {};
    const code = typeof record['code'] === 'string' ? record['code'] : 'inconnu';
    const n = typeof record['count'] === 'number' && record['count'] > 0 ? record['count'] : 1;
    const key = `${severity}|${code}`;
    const group = groups.get(key) ?? { code, severity, total: 0, finess: [] };
    group.total += n;
    const finess = record['finess'];
    if (typeof finess === 'string' && !group.finess.includes(finess)) group.finess.push(finess);
    groups.set(key, group);
  };
  for (const f of dataQuality.errors) add(f, 'error');
  for (const f of dataQuality.warnings) add(f, 'warning');
  return [...groups.values()]
    .sort((a, b) =>
      a.severity === b.severity ? a.code.localeCompare(b.code) : a.severity === 'error' ? -1 : 1,
    )
    .map((g) => {
      const known = QUALITY_TEXT[g.code];
      // A finding about ESSMS counts ESSMS (one per FINESS), whatever the number of findings per ESSMS.
      const total = known?.noun === NOUNS.essms && g.finess.length > 0 ? g.finess.length : g.total;
      const text =
        known === undefined
          ? `${count(total, NOUNS.finding)} de type « ${g.code} »`
          : `${count(total, known.noun)} ${isPlural(total) ? known.many : known.one}`;
      return { ...g, total, text: `${text}${essmsNamed(g.finess, names)}` };
    });
}

/** ` : Foyer Les Glycines (130007313), FINESS 690007356 et 3 autres`, or nothing. */
function essmsNamed(finess: readonly string[], names: ReadonlyMap<string, string | null>): string {
  if (finess.length === 0) return '';
  const named = finess.slice(0, ESSMS_NAMED).map((f) => {
    const name = names.get(f);
    return name === undefined || name === null ? `FINESS ${f}` : `${curlyApostrophes(name)} (${f})`;
  });
  const rest = finess.length - named.length;
  return ` : ${frenchList(rest > 0 ? [...named, `${rest} autres`] : named)}`;
}
