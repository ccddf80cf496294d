import type { Bundle, BundleEntry, MeasureReport } from 'fhir/r4.js';
import { AgentError } from '../errors.js';
import { canonicalJson } from '../evidence/canonical-json.js';
import { withEvidenceSeal } from '../evidence/evidence-seal.js';
import { sha256Hex } from '../shared/sha256-hex.js';

/** System of the submissions' business identifiers (contract.md §4). */
export const SUBMISSION_IDENTIFIER_SYSTEM = 'https://esms-numerique.github.io/fhir/submission';

/**
 * One submission to the ARS: a transaction Bundle and the exact bytes sent. `id` is the SHA-256 of the
 * sorted entry identifiers, so recomputing the same figures gives the same id (and the ARS creates
 * nothing twice), while different figures give a different id.
 */
export interface Submission {
  id: string;
  createdFrom: { measureDate: string };
  bundle: Bundle;
  /** The exact bytes to send (UTF-8 JSON of `bundle`). */
  body: string;
}

/** A name-based UUID (RFC 9562 version 8) from a hex digest: stable across runs, unique per entry. */
function uuidFromDigest(hex: string): string {
  const chars = hex.slice(0, 32).split('');
  chars[12] = '8';
  chars[16] = ((parseInt(chars[16] ?? '0', 16) & 0x3) | 0x8).toString(16);
  const h = chars.join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

/** Local date part of a FHIR dateTime (`2024-01-01T00:00:00+04:00` → `2024-01-01`). */
function datePart(value: string | undefined, what: string): string {
  const date = value?.slice(0, 10);
  if (date === undefined || !/^\d{4}-\d{2}-\d{2}$/.test(date)) {
    throw new AgentError('internal', `A MeasureReport has no usable ${what}.`);
  }
  return date;
}

/** The person-level members a summary report must never carry (contract.md §3: only aggregates leave). */
function assertAggregateOnly(report: MeasureReport, index: number): void {
  const text = JSON.stringify(report);
  if (
    report.subject !== undefined ||
    report.evaluatedResource !== undefined ||
    text.includes('"subjectResults"')
  ) {
    throw new AgentError(
      'internal',
      `MeasureReport #${index} carries person-level data; it must not be submitted.`,
    );
  }
  if (report.type !== 'summary') {
    throw new AgentError(
      'internal',
      `MeasureReport #${index} is of type ${report.type}; only summaries are submitted.`,
    );
  }
}

/**
 * The business identifier of one report: FINESS, indicator, period and a SHA-256 digest of what the report
 * says (measure, reporter, period, groups). The report's `date`, `id`, narrative, display names and
 * `improvementNotation` are left out of the digest, so stamping a report with the current time does not
 * make it a new submission.
 */
export function submissionIdentifierValue(report: MeasureReport, index = 0): string {
  const finess = report.reporter?.identifier?.value;
  if (finess === undefined || !/^[0-9AB]{9}$/.test(finess)) {
    throw new AgentError('internal', `MeasureReport #${index} has no FINESS reporter identifier.`);
  }
  // The canonical may carry the measures' version (`…/Measure/taux-dmp|2024.1.1`): the indicator is the id.
  const unversioned = report.measure.split('|')[0] ?? '';
  const indicator = unversioned.slice(unversioned.lastIndexOf('/') + 1);
  if (indicator === '' || !/^[a-z0-9-]+$/.test(indicator)) {
    throw new AgentError('internal', `MeasureReport #${index} has an unexpected measure URL.`);
  }
  const start = datePart(report.period.start, 'period start');
  const end = datePart(report.period.end, 'period end');
  const digest = sha256Hex(
    canonicalJson({
      measure: report.measure,
      reporter: report.reporter?.identifier,
      period: report.period,
      group: report.group ?? [],
    }),
  );
  // `:` keeps the value a plain search token (no `|`, `,` or `$` to escape in `ifNoneExist`).
  return `${finess}:${indicator}:${start}:${end}:${digest}`;
}

/**
 * The `fullUrl` of a report in a Bundle: a name-based `urn:uuid:` from its submission identifier, so that
 * the same report has the same full URL in the submission and in `esms export --format fhir`.
 */
export function measureReportFullUrl(report: MeasureReport, index = 0): string {
  const value = submissionIdentifierValue(report, index);
  return `urn:uuid:${uuidFromDigest(sha256Hex(`${SUBMISSION_IDENTIFIER_SYSTEM}|${value}`))}`;
}

/**
 * Wraps the summary MeasureReports of one run into the transaction Bundle of contract.md §4: one
 * `POST MeasureReport` entry each, made conditional (`ifNoneExist`) on its submission identifier.
 * With `seal` (the run's `run-sealed` entry, contract.md §5), every report and the Bundle's `meta` carry
 * the evidence-seal extensions; the identifiers, and so the submission id, do not depend on it.
 * The input reports are not modified.
 *
 * @param results the results document the reports come from (only `measureDate` is read).
 * @throws AgentError `nothing-computed` when there is no report; `internal` when a report is not a
 *   summary, carries person-level data or lacks its FINESS / period.
 */
export function buildSubmission(
  results: { readonly measureDate: string },
  reports: readonly MeasureReport[],
  seal?: { hash: string; previous: string },
): Submission {
  if (reports.length === 0) throw new AgentError('nothing-computed', 'There is no MeasureReport to submit.');
  const entries: BundleEntry[] = [];
  const seen = new Set<string>();
  reports.forEach((original, index) => {
    assertAggregateOnly(original, index);
    const value = submissionIdentifierValue(original, index);
    if (seen.has(value))
      throw new AgentError('internal', `MeasureReport #${index} is a duplicate of an earlier one.`);
    seen.add(value);
    const report = structuredClone(original);
    report.identifier = [
      ...(report.identifier ?? []).filter((identifier) => identifier.system !== SUBMISSION_IDENTIFIER_SYSTEM),
      { system: SUBMISSION_IDENTIFIER_SYSTEM, value },
    ];
    entries.push({
      fullUrl: measureReportFullUrl(original, index),
      resource: seal === undefined ? report : withEvidenceSeal(report, seal),
      request: {
        method: 'POST',
        url: 'MeasureReport',
        ifNoneExist: `identifier=${SUBMISSION_IDENTIFIER_SYSTEM}|${value}`,
      },
    });
  });
  const id = sha256Hex([...seen].sort().join('\n'));
  const bundle: Bundle = {
    resourceType: 'Bundle',
    // A Bundle is not a DomainResource (no `extension` of its own): the seal goes in its `meta`.
    ...(seal === undefined ? {} : { meta: withEvidenceSeal({}, seal) }),
    type: 'transaction',
    entry: entries,
  };
  return { id, createdFrom: { measureDate: results.measureDate }, bundle, body: JSON.stringify(bundle) };
}
