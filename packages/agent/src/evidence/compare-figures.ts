/**
 * Figure-by-figure comparison of a sealed results document (or submitted MeasureReports) with the
 * recomputation. Sealed data is read defensively, as unknown JSON: it may have been forged.
 */
import { canonicalJson } from './canonical-json.js';
import { RATE_INDICATORS } from './recompute.js';
import { asArray, asString, field } from './json-access.js';
import { isRecord } from '../shared/is-record.js';
import { canonicalisePersons } from './subject-lists.js';
import type { ResultsLike } from './recompute.js';

type FigureValue = number | string | boolean | null;

interface Figure {
  /** `establishment` figures are named by FINESS alone; organisation ones say so. */
  owner: string;
  name: string;
  value: FigureValue;
}

/** Flattens a results document into named figures: `taux-dmp numerator` of `970400024`, etc. */
export function flattenFigures(document: unknown): Map<string, Figure> {
  const figures = new Map<string, Figure>();
  const put = (owner: string, name: string, value: unknown): void => {
    figures.set(`${owner}\u0000${name}`, { owner, name, value: asFigureValue(value) });
  };
  const addIndicators = (owner: string, indicators: unknown): void => {
    for (const id of RATE_INDICATORS) {
      const rate = field(indicators, id);
      for (const part of ['numerator', 'denominator', 'rate', 'met'] as const)
        put(owner, `${id} ${part}`, field(rate, part));
    }
    const prescriptions = field(indicators, 'e-prescriptions-importees');
    put(owner, 'e-prescriptions-importees total', field(prescriptions, 'total'));
    const byMonth = field(prescriptions, 'byMonth');
    if (isRecord(byMonth)) {
      for (const month of Object.keys(byMonth))
        put(owner, `e-prescriptions-importees ${month}`, byMonth[month]);
    }
    const parcours = field(indicators, 'echanges-e-parcours');
    put(owner, 'echanges-e-parcours total', field(parcours, 'total'));
    put(owner, 'echanges-e-parcours sinceProjectStart', field(parcours, 'sinceProjectStart'));
  };
  put('document', 'measureDate', field(document, 'measureDate'));
  put('document', 'denominatorScope', field(document, 'denominatorScope'));
  for (const establishment of asArray(field(document, 'establishments'))) {
    const owner = String(field(establishment, 'finess'));
    put(owner, 'present', true);
    put(owner, 'organisation', field(establishment, 'organisation'));
    put(owner, 'period start', field(field(establishment, 'period'), 'start'));
    put(owner, 'period end', field(field(establishment, 'period'), 'end'));
    addIndicators(owner, field(establishment, 'indicators'));
    put(owner, 'dossiersActifs', field(establishment, 'dossiersActifs'));
    put(owner, 'fileActive', field(establishment, 'fileActive'));
    put(owner, 'vaReady', field(establishment, 'vaReady'));
  }
  for (const organisation of asArray(field(document, 'organisations'))) {
    const owner = `organisation ${String(field(organisation, 'finess'))}`;
    put(owner, 'present', true);
    put(
      owner,
      'establishments',
      canonicalJson([...asArray(field(organisation, 'establishments'))].map(String).sort()),
    );
    addIndicators(owner, field(organisation, 'indicators'));
    put(owner, 'dossiersActifs', field(organisation, 'dossiersActifs'));
    put(owner, 'fileActive', field(organisation, 'fileActive'));
  }
  return figures;
}

/**
 * Every figure where the sealed document differs from the recomputed one, worded for a person:
 * `taux-dmp numerator for 970400024 sealed 12, recomputed 11`.
 */
export function compareResults(sealed: unknown, recomputed: ResultsLike): string[] {
  return compareFigureMaps(flattenFigures(sealed), flattenFigures(recomputed), 'sealed');
}

function compareFigureMaps(
  actual: Map<string, Figure>,
  expected: Map<string, Figure>,
  actualLabel: string,
): string[] {
  const messages: string[] = [];
  const keys = new Set([...expected.keys(), ...actual.keys()]);
  for (const key of keys) {
    const want = expected.get(key);
    const got = actual.get(key);
    const wantValue = want === undefined ? undefined : want.value;
    const gotValue = got === undefined ? undefined : got.value;
    if (wantValue === gotValue) continue;
    const figure = (want ?? got) as Figure;
    if (figure.name === 'present') {
      messages.push(
        gotValue === undefined
          ? `${figure.owner} is missing from the ${actualLabel} figures but the recomputation has it`
          : `${figure.owner} is in the ${actualLabel} figures but not in the recomputation`,
      );
      continue;
    }
    // A missing establishment was reported once above; do not list each of its figures again.
    if (!actual.has(`${figure.owner}\u0000present`) || !expected.has(`${figure.owner}\u0000present`)) {
      if (figure.owner !== 'document') continue;
    }
    const owner = figure.owner === 'document' ? '' : ` for ${figure.owner}`;
    messages.push(`${figure.name}${owner} ${actualLabel} ${show(gotValue)}, recomputed ${show(wantValue)}`);
  }
  return messages;
}

/** A submitted MeasureReport reduced to what is compared. */
export interface SubmittedReport {
  index: number;
  measure: string;
  finess: string | null;
  populations: Map<string, number | null>;
  score: number | null;
}

/**
 * The MeasureReports of a submission body (a FHIR Bundle, a single MeasureReport, or an array of them),
 * or `null` when the bytes are not JSON holding MeasureReports (a non-FHIR transport).
 */
export function extractMeasureReports(value: unknown): SubmittedReport[] | null {
  const resources: unknown[] = [];
  if (Array.isArray(value)) resources.push(...(value as unknown[]));
  else if (field(value, 'resourceType') === 'Bundle') {
    for (const entry of asArray(field(value, 'entry'))) resources.push(field(entry, 'resource'));
  } else resources.push(value);
  const reports = resources.filter((resource) => field(resource, 'resourceType') === 'MeasureReport');
  if (reports.length === 0) return null;
  return reports.map((report, index) => {
    const measureUrl = asString(field(report, 'measure'));
    const measure = (measureUrl.split('|')[0] ?? '').split('/').pop() ?? measureUrl;
    const reporter = field(report, 'reporter');
    const identifierValue = field(field(reporter, 'identifier'), 'value');
    const finess = typeof identifierValue === 'string' ? identifierValue : null;
    const populations = new Map<string, number | null>();
    const group = asArray(field(report, 'group'))[0];
    for (const population of asArray(field(group, 'population'))) {
      const code = field(asArray(field(field(population, 'code'), 'coding'))[0], 'code');
      const count = field(population, 'count');
      if (typeof code === 'string') populations.set(code, typeof count === 'number' ? count : null);
    }
    for (const stratifier of asArray(field(group, 'stratifier'))) {
      for (const stratum of asArray(field(stratifier, 'stratum'))) {
        const label = field(field(stratum, 'value'), 'text');
        for (const population of asArray(field(stratum, 'population'))) {
          const code = field(asArray(field(field(population, 'code'), 'coding'))[0], 'code');
          const count = field(population, 'count');
          if (typeof label === 'string' && typeof code === 'string') {
            populations.set(`${code} [${label}]`, typeof count === 'number' ? count : null);
          }
        }
      }
    }
    const scoreValue = field(field(group, 'measureScore'), 'value');
    return { index, measure, finess, populations, score: typeof scoreValue === 'number' ? scoreValue : null };
  });
}

/**
 * Compares submitted MeasureReports with the recomputation: always the numerator and denominator of
 * every rate indicator against the recomputed results; and, when the rules can rebuild the expected
 * MeasureReports (`expectedReports`), every population count and score, and that no report is missing
 * or extra.
 */
export function compareSubmission(
  submitted: SubmittedReport[],
  recomputed: ResultsLike,
  expectedReports: SubmittedReport[] | null,
): string[] {
  const messages: string[] = [];
  const establishments = new Map(recomputed.establishments.map((e) => [e.finess, e]));
  for (const report of submitted) {
    const where = `MeasureReport ${report.measure} for ${report.finess ?? '(no reporter FINESS)'}`;
    if (report.finess === null) {
      messages.push(
        `submitted MeasureReport #${report.index + 1} (${report.measure}) names no reporter FINESS`,
      );
      continue;
    }
    if ((RATE_INDICATORS as readonly string[]).includes(report.measure)) {
      const establishment = establishments.get(report.finess);
      if (establishment === undefined) {
        messages.push(`submitted ${where}: ${report.finess} is not in the recomputation`);
        continue;
      }
      const rate = establishment.indicators[report.measure as (typeof RATE_INDICATORS)[number]];
      for (const part of ['numerator', 'denominator'] as const) {
        const got = report.populations.get(part);
        if (got !== rate[part]) {
          messages.push(
            `${report.measure} ${part} for ${report.finess} submitted ${show(got)}, recomputed ${rate[part]}`,
          );
        }
      }
    }
  }
  if (expectedReports !== null) {
    const key = (r: SubmittedReport): string => `${r.measure}\u0000${r.finess ?? ''}`;
    const expected = new Map(expectedReports.map((r) => [key(r), r]));
    const seen = new Set<string>();
    for (const report of submitted) {
      const want = expected.get(key(report));
      seen.add(key(report));
      const where = `MeasureReport ${report.measure} for ${report.finess ?? '?'}`;
      if (want === undefined) {
        messages.push(`submitted ${where} has no counterpart in the recomputation`);
        continue;
      }
      const codes = new Set([...want.populations.keys(), ...report.populations.keys()]);
      for (const code of codes) {
        const got = report.populations.get(code);
        const exp = want.populations.get(code);
        // numerator/denominator of rate indicators were worded above already.
        if (
          got === exp ||
          (report.measure.startsWith('taux-') && (code === 'numerator' || code === 'denominator'))
        ) {
          continue;
        }
        messages.push(`submitted ${where}: population ${code} ${show(got)}, recomputed ${show(exp)}`);
      }
      // Counts are cohorts: their figure is the population count, compared above. Submissions made before
      // cohort reports dropped their score carry the count as score too: the same figure, not a difference.
      const legacyCountScore =
        want.score === null &&
        !report.measure.startsWith('taux-') &&
        report.score === report.populations.get('initial-population');
      if (!legacyCountScore && !sameScore(report.score, want.score)) {
        messages.push(
          `submitted ${where}: measureScore ${show(report.score)}, recomputed ${show(want.score)}`,
        );
      }
    }
    // Every ESSMS report is due; organisation roll-ups are optional in a submission.
    for (const [k, want] of expected) {
      if (!seen.has(k) && want.finess !== null && establishments.has(want.finess))
        messages.push(
          `MeasureReport ${want.measure} for ${want.finess ?? '?'} is missing from the submission`,
        );
    }
  }
  return messages;
}

/** Compares two subject-list documents, arrays taken as unordered; returns up to `limit` differences. */
export function compareSubjects(sealed: unknown, recomputed: unknown, limit = 20): string[] {
  const got = canonicalisePersons(sealed);
  const want = canonicalisePersons(recomputed);
  // Equal lists (every run that verifies) are told apart in one pass; only unequal ones are walked.
  if (sameUnordered(got, want)) return [];
  const messages: string[] = [];
  walk(normalise(got), normalise(want), '');
  if (messages.length > limit) {
    const more = messages.length - limit;
    return [...messages.slice(0, limit), `… and ${more} more subject-list differences`];
  }
  return messages;

  function walk(got: unknown, want: unknown, path: string): void {
    if (canonicalJson(got) === canonicalJson(want)) return;
    if (isRecord(got) && isRecord(want)) {
      for (const key of new Set([...Object.keys(got), ...Object.keys(want)])) {
        walk(got[key], want[key], path === '' ? key : `${path}.${key}`);
      }
      return;
    }
    messages.push(`subject list ${path || '(root)'}: sealed ${preview(got)}, recomputed ${preview(want)}`);
  }
}

/**
 * Whether `canonicalJson(normalise(a)) === canonicalJson(normalise(b))`, each text built bottom-up, once per
 * item: `normalise` then `canonicalJson` encode every nested item again at each level above it (0.5 s of
 * verify's last, single-threaded, step at size L, and tens of MB of strings). Anything it cannot encode
 * (`canonicalJson` refuses it) leaves the answer to the walk, as before.
 */
function sameUnordered(a: unknown, b: unknown): boolean {
  try {
    return unorderedJson(a) === unorderedJson(b);
  } catch {
    return false;
  }
}

/** `canonicalJson(normalise(value))`, computed bottom-up (see `sameUnordered`). */
function unorderedJson(value: unknown): string {
  if (Array.isArray(value)) {
    const items = (value as unknown[]).map(unorderedJson);
    items.sort((x, y) => (x < y ? -1 : x > y ? 1 : 0));
    return `[${items.join(',')}]`;
  }
  if (isRecord(value)) {
    const keys = Object.keys(value)
      .filter((key) => value[key] !== undefined)
      .sort();
    return `{${keys.map((key) => `${JSON.stringify(key)}:${unorderedJson(value[key])}`).join(',')}}`;
  }
  return canonicalJson(value);
}

/** Sorts every array by the canonical JSON of its items so that order does not count. */
function normalise(value: unknown): unknown {
  if (Array.isArray(value)) {
    return value
      .map(normalise)
      .map((item) => [canonicalJson(item), item] as const)
      .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
      .map(([, item]) => item);
  }
  if (isRecord(value)) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, normalise(v)]));
  }
  return value;
}

function sameScore(a: number | null, b: number | null): boolean {
  if (a === null || b === null) return a === b;
  return Math.abs(a - b) < 1e-9;
}

function preview(value: unknown): string {
  if (value === undefined) return '(absent)';
  const text = canonicalJson(value);
  return text.length > 80 ? `${text.slice(0, 77)}…` : text;
}

function show(value: unknown): string {
  if (value === undefined) return '(absent)';
  if (typeof value === 'string') return JSON.stringify(value);
  return canonicalJson(value);
}

function asFigureValue(value: unknown): FigureValue {
  if (
    value === null ||
    typeof value === 'number' ||
    typeof value === 'string' ||
    typeof value === 'boolean'
  ) {
    return value;
  }
  return value === undefined ? null : canonicalJson(value);
}
