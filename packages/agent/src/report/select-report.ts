import { UsageError } from '../errors.js';
import { isRecord } from '../shared/is-record.js';
import type { ResultsLike } from '../evidence/recompute.js';
import { ABSENT_ERROR, applyScope, NOT_CONFIGURED_WARNING } from '../scope/establishment-scope.js';
import type { ReportInput, ReportRun } from './report-model.js';

/** What `esms report` is asked for: the run (by D) and the ESSMS (an organisation, or FINESS géographiques). */
export interface ReportSelection {
  measureDate?: string | undefined;
  organisation?: string | undefined;
  finess?: readonly string[] | undefined;
}

/** How many past measures the trend shows (the attestation's last one included). */
export const TREND_MEASURES_SHOWN = 6;

export interface TrendPoint {
  measureDate: string;
  results: ResultsLike;
}

export interface SelectedReport {
  run: ReportRun;
  /** The run's figures narrowed to the selection; organisations rolled up over the selected ESSMS only. */
  results: ResultsLike;
  /** One point per measure date up to the run's, oldest first, narrowed the same way (at most 6). */
  trend: TrendPoint[];
  /** ESSMS the config lists (now, or when the run was sealed) that have no figures in this run. */
  missingConfigured: string[];
}

/**
 * Chooses the run (the last one sealed for D; by default the last one sealed) and narrows its figures to
 * the ESSMS asked for (an organisation's, or the FINESS given; by default every ESSMS the config lists,
 * or all of the run's without a config). A D with no sealed run, or a FINESS unknown to that run, is bad
 * usage (exit 2, the message without the usage text), and the error names what does exist.
 */
export function selectReport(input: ReportInput, selection: ReportSelection): SelectedReport {
  if (selection.organisation !== undefined && (selection.finess?.length ?? 0) > 0) {
    throw new UsageError('give --organisation or --finess, not both');
  }
  const run =
    selection.measureDate === undefined
      ? input.runs.at(-1)
      : input.runs.findLast((r) => r.measureDate === selection.measureDate);
  if (run === undefined) {
    const dates = [...new Set(input.runs.map((r) => r.measureDate))].sort();
    throw dataError(
      `no run is sealed for the measurement date ${selection.measureDate ?? '(any)'}; ` +
        (dates.length === 0
          ? 'no run is readable in the evidence'
          : `sealed measurement dates: ${dates.join(', ')}`),
    );
  }
  const configured = input.configuredScope === null ? null : new Set(input.configuredScope);
  const available = run.results.establishments.filter((e) => configured === null || configured.has(e.finess));
  let wanted: string[];
  if (selection.organisation !== undefined) {
    const ej = selection.organisation;
    wanted = available.filter((e) => e.organisation === ej).map((e) => e.finess);
    if (wanted.length === 0) {
      const known = run.results.organisations
        .filter((o) => o.establishments.some((f) => available.some((e) => e.finess === f)))
        .map((o) => `${o.finess}${o.name === null ? '' : ` (${o.name})`}`);
      throw dataError(
        `no organisme gestionnaire ${ej} in the run sealed for ${run.measureDate}; ` +
          (known.length === 0
            ? 'it has no organisme gestionnaire'
            : `its organismes gestionnaires (FINESS juridique): ${known.join(', ')}`),
      );
    }
  } else if (selection.finess !== undefined && selection.finess.length > 0) {
    const unknown = selection.finess.filter((f) => !available.some((e) => e.finess === f));
    if (unknown.length > 0) {
      throw dataError(
        `unknown ESSMS ${unknown.join(', ')} in the run sealed for ${run.measureDate}` +
          `${configured === null ? '' : ' (within the config’s establishments)'}; its ESSMS (FINESS géographique): ` +
          available.map((e) => `${e.finess}${e.name === null ? '' : ` (${e.name})`}`).join(', '),
      );
    }
    wanted = [...new Set(selection.finess)];
  } else {
    wanted = available.map((e) => e.finess);
  }
  const scope = [...wanted].sort();
  const whole = selection.organisation === undefined && (selection.finess?.length ?? 0) === 0;
  const narrow = (results: ResultsLike): ResultsLike => ({
    ...applyScope({ results, subjects: null }, scope).results,
    dataQuality: {
      errors: results.dataQuality.errors.filter((f) => concerns(f, scope, whole)),
      warnings: results.dataQuality.warnings.filter((f) => concerns(f, scope, whole)),
    },
  });
  const byDate = new Map<string, ReportRun>();
  for (const r of input.runs) {
    if (r.measureDate < run.measureDate) byDate.set(r.measureDate, r);
  }
  byDate.set(run.measureDate, run);
  const trend = [...byDate.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .slice(-TREND_MEASURES_SHOWN)
    .map(([measureDate, r]) => ({ measureDate, results: narrow(r.results) }));
  const present = new Set(run.results.establishments.map((e) => e.finess));
  const configuredAbsent = (input.configuredScope ?? []).filter((f) => !present.has(f));
  return {
    run,
    results: narrow(run.results),
    trend,
    missingConfigured: whole ? [...new Set([...sealedAbsent(run.results), ...configuredAbsent])].sort() : [],
  };
}

/** A selection naming nothing in the evidence: exit 2, the message alone (it lists what exists). */
function dataError(message: string): UsageError {
  return new UsageError(message, { showUsage: false });
}

/** The ESSMS the run itself sealed as configured but absent from the data (`establishment-absent`). */
function sealedAbsent(results: ResultsLike): string[] {
  return results.dataQuality.errors.flatMap((f) => {
    const record = isRecord(f) ? f : {};
    const finess = record['finess'];
    return record['code'] === ABSENT_ERROR && typeof finess === 'string' ? [finess] : [];
  });
}

/**
 * Whether a data-quality finding of the run belongs in a report on `scope`: one naming another ESSMS
 * (`finess`) does not; the run's own "not configured" warnings and "absent" errors only in a report on
 * everything configured.
 */
function concerns(finding: unknown, scope: readonly string[], whole: boolean): boolean {
  const record = isRecord(finding) ? finding : {};
  if (record['code'] === NOT_CONFIGURED_WARNING || record['code'] === ABSENT_ERROR) return whole;
  const finess = record['finess'];
  return typeof finess !== 'string' || scope.includes(finess);
}
