import type { EstablishmentExplanation, ExclusionReason, RateResult } from '@esms-numerique/sdk';
import type { WorklistIndicator } from './french-reasons.js';

/** One dossier that does not count, by the DUI's own ids (never a name, never an INS). */
export interface WorklistEntry {
  /** The person's Patient reference in the DUI (`Patient/123`): what staff open. */
  dossier: string;
  /** Every Patient record merged into this person (duplicates, re-admissions), the first being `dossier`. */
  records: string[];
  reason: ExclusionReason;
}

export interface Worklist {
  finess: string;
  indicator: WorklistIndicator;
  figures: RateResult;
  /** How many more dossiers must count for the target to be met (0 when it is). */
  missing: number;
  entries: WorklistEntry[];
}

/**
 * The dossiers out of an indicator's numerator, from the engine's explanation (the same lists as
 * `esms compute --explain`), sorted by dossier, and how many more would reach the target.
 */
export function buildWorklist(
  explanation: EstablishmentExplanation,
  indicator: WorklistIndicator,
  figures: RateResult,
): Worklist {
  const records = new Map(explanation.persons.map((p) => [p.person, p.records]));
  const entries = (explanation.indicators[indicator]?.outOfNumerator ?? [])
    .map(({ person, reason }) => ({ dossier: person, records: records.get(person) ?? [person], reason }))
    .sort((a, b) => (a.dossier < b.dossier ? -1 : a.dossier > b.dossier ? 1 : 0));
  return { finess: explanation.finess, indicator, figures, missing: missingForTarget(figures), entries };
}

/**
 * The fewest dossiers to add to the numerator (the denominator unchanged) for `100 × n / d ≥ target`,
 * in integers (no rounding of the rate: 89.96 % is not met). 0 with no denominator: nothing to add.
 */
export function missingForTarget({ numerator, denominator, target }: RateResult): number {
  if (denominator === 0) return 0;
  const needed = Math.ceil((target * denominator) / 100 - 1e-9);
  return Math.max(0, needed - numerator);
}
