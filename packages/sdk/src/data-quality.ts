/**
 * indicators.md "Data quality, never silent": every record that cannot be used is reported with its
 * resource type, id and a reason code, and the computation goes on with the rest. The findings of one
 * computation are gathered here, then sorted once so that their order never depends on the input's.
 */
import type { ProblemFact } from './facts.js';
import { compareText } from './order.js';
import { idOf, typeOf } from './read/references.js';
import type { DataQualityFinding } from './results.js';

export class Findings {
  readonly errors: DataQualityFinding[] = [];
  readonly warnings: DataQualityFinding[] = [];

  /** Starts from the problems found while reading (invalid records, unreadable input, …). */
  constructor(problems: readonly ProblemFact[]) {
    for (const p of problems) {
      this.errors.push({ code: p.code, resourceType: p.resourceType, id: p.id, message: p.message });
    }
  }

  /** Both lists in a stable order: by code, then record type, id and message. */
  sorted(): { errors: DataQualityFinding[]; warnings: DataQualityFinding[] } {
    this.errors.sort(compareFindings);
    this.warnings.sort(compareFindings);
    return { errors: this.errors, warnings: this.warnings };
  }
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

function compareFindings(a: DataQualityFinding, b: DataQualityFinding): number {
  return (
    compareText(a.code, b.code) ||
    compareText(a.resourceType ?? '', b.resourceType ?? '') ||
    compareText(a.id ?? a.finess ?? '', b.id ?? b.finess ?? '') ||
    compareText(a.message, b.message)
  );
}
