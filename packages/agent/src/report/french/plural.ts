/**
 * French plural and agreement, in one place, so that no text of the report says "entrée(s)". French takes
 * the singular for 0 and 1 and the plural from 2 on; zero is written "aucun"/"aucune" (with the noun in
 * the singular), as a person would write it.
 */

/** A countable noun, with its gender (for "aucun"/"aucune" and for the adjectives that agree with it). */
export interface Noun {
  one: string;
  many: string;
  feminine: boolean;
}

/** An adjective or past participle in its four forms (masculine/feminine, singular/plural). */
export interface Adjective {
  ms: string;
  fs: string;
  mp: string;
  fp: string;
}

function noun(one: string, many: string, feminine: boolean): Noun {
  return { one, many, feminine };
}

/** Every noun the report counts. */
export const NOUNS = {
  entry: noun('entrée', 'entrées', true),
  problem: noun('problème', 'problèmes', false),
  warning: noun('avertissement', 'avertissements', false),
  finding: noun('constat', 'constats', false),
  run: noun('calcul', 'calculs', false),
  essms: noun('ESSMS', 'ESSMS', false),
  establishment: noun('établissement ou service', 'établissements et services', false),
  organisation: noun('organisme gestionnaire', 'organismes gestionnaires', false),
  record: noun('enregistrement', 'enregistrements', false),
  person: noun('personne', 'personnes', true),
  measure: noun('mesure', 'mesures', true),
  file: noun('fichier', 'fichiers', false),
  page: noun('page', 'pages', true),
} as const satisfies Record<string, Noun>;

/** The adjectives the report makes agree with a count. */
export const ADJECTIVES = {
  intact: { ms: 'intact', fs: 'intacte', mp: 'intacts', fp: 'intactes' },
  recomputed: { ms: 'recalculé', fs: 'recalculée', mp: 'recalculés', fp: 'recalculées' },
  reported: { ms: 'signalé', fs: 'signalée', mp: 'signalés', fp: 'signalées' },
  concerned: { ms: 'concerné', fs: 'concernée', mp: 'concernés', fp: 'concernées' },
} as const satisfies Record<string, Adjective>;

const NARROW_NBSP = '\u202f';

/** 12345 → `12 345` (narrow no-break space between thousands, as French typography wants). */
export function frenchInteger(value: number): string {
  return String(value).replace(/\B(?=(\d{3})+(?!\d))/g, NARROW_NBSP);
}

/** Whether French takes the plural for this count: from 2 on (0 and 1 are singular). */
export function isPlural(count: number): boolean {
  return Math.abs(count) >= 2;
}

/** The noun's form for this count, without the number: `entrée` / `entrées`. */
export function nounFor(count: number, n: Noun): string {
  return isPlural(count) ? n.many : n.one;
}

/** The adjective's form agreeing with `count` of `n`: `intacte` / `intactes`. */
export function agree(count: number, n: Noun, adjective: Adjective): string {
  const plural = isPlural(count);
  if (n.feminine) return plural ? adjective.fp : adjective.fs;
  return plural ? adjective.mp : adjective.ms;
}

/** `aucune entrée`, `1 entrée`, `2 entrées`, `12 345 entrées`. */
export function count(value: number, n: Noun): string {
  if (value === 0) return `${n.feminine ? 'aucune' : 'aucun'} ${n.one}`;
  return `${frenchInteger(value)} ${nounFor(value, n)}`;
}

/** A count with an agreeing adjective: `1 entrée intacte`, `2 entrées intactes`, `aucune entrée intacte`. */
export function countWith(value: number, n: Noun, adjective: Adjective): string {
  return `${count(value, n)} ${agree(value, n, adjective)}`;
}

/** A verb agreeing with a count: `est` for 0 and 1, `sont` from 2 on. */
export function verb(value: number, singular: string, plural: string): string {
  return isPlural(value) ? plural : singular;
}

/** `A`, `A et B`, `A, B et C`. */
export function frenchList(items: readonly string[]): string {
  if (items.length <= 1) return items[0] ?? '';
  return `${items.slice(0, -1).join(', ')} et ${items.at(-1) ?? ''}`;
}
