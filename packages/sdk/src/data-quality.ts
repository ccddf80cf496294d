/**
 * indicators.md "Data quality, never silent": every record that cannot be used is reported with its
 * resource type, id and a reason code, and the computation goes on with the rest. The findings of one
 * computation are gathered here, then sorted once so that their order never depends on the input's.
 */
import type { ProblemFact } from './facts.js';
import { compareText } from './order.js';
import { idOf, typeOf } from './read/references.js';
import type { DuplicateRecord } from './resolve/record-versions.js';
import type { DataQualityFinding } from './results.js';
import { TIME_DEVIATIONS } from './vocabulary/time.js';

/** How many duplicated records are named one by one; the others are counted in one more finding. */
export const MAX_DUPLICATE_RECORDS_NAMED = 100;

export class Findings {
  readonly errors: DataQualityFinding[] = [];
  readonly warnings: DataQualityFinding[] = [];

  /** Starts from the problems found while reading (invalid records, unreadable input, …). */
  constructor(problems: readonly ProblemFact[]) {
    for (const p of problems) {
      this.errors.push({
        code: p.code,
        resourceType: p.resourceType,
        ...(p.id === undefined ? {} : { id: p.id }),
        message: p.message,
        ...(p.location === undefined ? {} : { location: p.location }),
        ...(p.related === undefined ? {} : { related: p.related }),
      });
    }
  }

  /**
   * Both lists in a stable order: by code, then record type, id and message. A record is `unknown-subject`
   * once, however many of its roles met the missing person (a séjour is placed, and its update counted).
   */
  sorted(): { errors: DataQualityFinding[]; warnings: DataQualityFinding[] } {
    this.errors.sort(compareFindings);
    this.warnings.sort(compareFindings);
    return { errors: oncePerRecord(this.errors, 'unknown-subject'), warnings: this.warnings };
  }
}

/**
 * `findings` (sorted) with only the first finding of `code` per record (`resourceType` and `id`). A record
 * known only by its pseudonym (recomputed from a projection) has the type `unknown`: it is the same record
 * as a finding of a known type with that id.
 */
function oncePerRecord(
  findings: DataQualityFinding[],
  code: DataQualityFinding['code'],
): DataQualityFinding[] {
  const typedIds = new Set<string>();
  for (const f of findings) {
    if (f.code === code && f.id !== undefined && f.resourceType !== 'unknown') typedIds.add(f.id);
  }
  const seen = new Set<string>();
  return findings.filter((finding) => {
    if (finding.code !== code || finding.id === undefined) return true;
    if (finding.resourceType === 'unknown' && typedIds.has(finding.id)) return false;
    const key = `${finding.resourceType ?? ''}/${finding.id}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** A record about a person that names none, or one whose Patient is not in the input. */
export function missingSubject(record: string, message: string, resourceType?: string): ProblemFact {
  return {
    k: 'problem',
    code: 'unknown-subject',
    resourceType: resourceType ?? typeOf(record),
    id: idOf(record),
    message,
  };
}

/**
 * indicators.md "One Type/id is one record": each `Type/id` read more than once is named once (up to
 * `MAX_DUPLICATE_RECORDS_NAMED`, in key order, then one finding counts the rest), with how many of its
 * versions were not used.
 */
export function warnDuplicateRecords(duplicates: readonly DuplicateRecord[], findings: Findings): void {
  for (const { key, versions } of duplicates.slice(0, MAX_DUPLICATE_RECORDS_NAMED)) {
    findings.warnings.push({
      code: 'duplicate-record',
      resourceType: typeOf(key),
      id: idOf(key),
      count: versions - 1,
      message: `read ${versions} times: the version with the latest meta.lastUpdated (the last read when equal) is used, counted once; ${versions - 1} other${versions > 2 ? 's' : ''} not used`,
    });
  }
  const more = duplicates.slice(MAX_DUPLICATE_RECORDS_NAMED);
  if (more.length > 0) {
    findings.warnings.push({
      code: 'duplicate-record',
      id: '(more)',
      count: more.length,
      message: `${more.length} more records were read more than once: each is counted once, in its latest version`,
    });
  }
}

const DEVIATION_WORDS: readonly [number, string][] = [
  [TIME_DEVIATIONS.noSeconds, 'no seconds'],
  [TIME_DEVIATIONS.longFraction, 'more than 9 fractional digits'],
  [TIME_DEVIATIONS.noOffset, "a time without its offset, taken as the ESSMS's local time"],
];

/**
 * Time values outside FHIR's grammar but unambiguous: one warning per field (`Encounter.period.start`),
 * with how many values and what they lack, so that the DUI editor can fix its export. They are used.
 */
export function warnTimeForms(timeForms: ReadonlyMap<string, number>, findings: Findings): void {
  const byField = new Map<string, { count: number; deviations: number }>();
  for (const [key, count] of timeForms) {
    const bar = key.lastIndexOf('|');
    const field = key.slice(0, bar);
    const entry = byField.get(field) ?? { count: 0, deviations: 0 };
    entry.count += count;
    entry.deviations |= Number(key.slice(bar + 1));
    byField.set(field, entry);
  }
  for (const [field, { count, deviations }] of byField) {
    const words = DEVIATION_WORDS.filter(([bit]) => (deviations & bit) !== 0).map(([, word]) => word);
    findings.warnings.push({
      code: 'time-format',
      resourceType: field.slice(0, field.indexOf('.')),
      field,
      count,
      message: `${count} value${count > 1 ? 's' : ''} outside FHIR's grammar (${words.join(', ')}): used as written`,
    });
  }
}

function compareFindings(a: DataQualityFinding, b: DataQualityFinding): number {
  return (
    compareText(a.code, b.code) ||
    compareText(a.resourceType ?? '', b.resourceType ?? '') ||
    compareText(a.id ?? a.finess ?? a.field ?? '', b.id ?? b.finess ?? b.field ?? '') ||
    compareText(a.location?.input ?? '', b.location?.input ?? '') ||
    (a.location?.line ?? a.location?.byteOffset ?? -1) - (b.location?.line ?? b.location?.byteOffset ?? -1) ||
    (a.location?.entry ?? -1) - (b.location?.entry ?? -1) ||
    compareText(a.message, b.message)
  );
}
