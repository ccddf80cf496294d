import type { MeasureDateRule } from '../config/agent-config-schema.js';
import { resolveMeasureDate } from '../config/measure-date.js';
import type { RunOutcome, RunRecord } from '../runner/run-records.js';

/** Outcomes after which a measure date needs no catch-up: its figures are sealed (and sent or queued). */
export const SETTLED_OUTCOMES: ReadonlySet<RunOutcome> = new Set<RunOutcome>([
  'submitted',
  'sealed',
  'pending',
]);

export interface CatchUpInput {
  rule: MeasureDateRule;
  /** The schedule's time zone (the measure date is resolved there). */
  timezone: string;
  now: Date;
  /** The schedule's next slot (`null` when there is none). */
  nextRun: Date | null;
  runs: readonly RunRecord[];
}

/**
 * The measure date to run now because its slot was missed while the agent was down, or `null`.
 *
 * Due when the rule's measure date for `now` has no settled run, unless the slot that produces it is
 * still ahead (1 April 03:00 in Paris with a 05:00 schedule: the schedule itself will run it). With a
 * `fixed` rule every slot gives the same date, so it is due whenever that date has no settled run.
 */
export function catchUpMeasureDate(input: CatchUpInput): string | null {
  const due = resolveMeasureDate(input.rule, input.now, input.timezone);
  if (input.runs.some((run) => run.measureDate === due && SETTLED_OUTCOMES.has(run.outcome))) return null;
  if (
    input.rule.rule === 'first-day-of-current-month' &&
    input.nextRun !== null &&
    resolveMeasureDate(input.rule, input.nextRun, input.timezone) === due
  ) {
    return null;
  }
  return due;
}
