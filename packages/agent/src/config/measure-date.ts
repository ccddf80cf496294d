import { UsageError } from '../errors.js';
import type { MeasureDateRule } from './agent-config-schema.js';
import { localDateSchema } from './schema-primitives.js';

/**
 * The measure date D (`YYYY-MM-DD`) a run uses: the fixed date, or the 1st of the month that `now` falls
 * in *in `timezone`* (the schedule's). A run at 23:30 UTC on 31 March is already on 1 April in Paris, and
 * still on 31 March in Tahiti: each gets its own month. The clock is passed in (tests never read it).
 */
export function resolveMeasureDate(rule: MeasureDateRule, now: Date, timezone: string): string {
  switch (rule.rule) {
    case 'fixed':
      return rule.date;
    case 'first-day-of-current-month': {
      const { year, month } = localYearMonth(now, timezone);
      return `${year}-${month}-01`;
    }
  }
}

/** Year and month (zero-padded) of an instant on the wall clock of `timezone`. */
function localYearMonth(now: Date, timezone: string): { year: string; month: string } {
  if (Number.isNaN(now.getTime())) throw new RangeError('resolveMeasureDate: `now` is an invalid Date');
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone: timezone,
    year: 'numeric',
    month: '2-digit',
    calendar: 'gregory',
    numberingSystem: 'latn',
  }).formatToParts(now);
  const year = parts.find((part) => part.type === 'year')?.value;
  const month = parts.find((part) => part.type === 'month')?.value;
  if (year === undefined || month === undefined)
    throw new RangeError(`cannot read the local date in ${timezone}`);
  return { year: year.padStart(4, '0'), month };
}

/**
 * Commander parser of a `--measure-date` flag: a calendar date `YYYY-MM-DD`, or bad usage (exit 2 with
 * the verb's usage, before anything is opened or recorded).
 */
export function parseMeasureDateFlag(value: string): string {
  if (!localDateSchema.safeParse(value).success) {
    throw new UsageError(`--measure-date must be a calendar date written YYYY-MM-DD, got "${value}"`);
  }
  return value;
}
