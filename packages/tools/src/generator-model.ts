import { KIND_SPECS, type Essms } from './establishments.js';
import type { Rng } from './prng.js';

/** Depth of the generated history before the measurement date. */
export const HISTORY_DAYS = 730;
/** Agenda events are kept for the last 15 months (older agendas are usually purged or archived). */
export const AGENDA_HISTORY_DAYS = 456;
/** Audit logs and usage logs are kept for one year. */
export const LOG_HISTORY_DAYS = 365;
/** The export happens a few days after the measurement date, so some records change after it. */
export const EXPORT_DELAY_DAYS = 9;
/** Planned agenda events reach this far beyond the export. */
export const PLANNED_HORIZON_DAYS = 60;
export const MINUTES_PER_DAY = 1440;
export const DAYS_PER_QUARTER = 91.3;
export const DAYS_PER_MONTH = 30.4;

export type Resource = Record<string, unknown>;

export interface Stay {
  essms: Essms;
  key: string;
  entryDay: number;
  /** Last day of the stay, or `undefined` while it goes on at the export. */
  exitDay: number | undefined;
  useEpisodeOfCare: boolean;
}

export interface Clock {
  measureDay: number;
  exportMs: number;
  exportDay: number;
}

/** Picks a local day in [from, to) and an office-hours minute; home services avoid weekends. */
export function pickWorkingInstant(
  rng: Rng,
  e: Essms,
  fromDay: number,
  toDay: number,
): { day: number; minute: number } {
  let day = rng.int(fromDay, Math.max(fromDay, toDay - 1));
  if (KIND_SPECS[e.kind].homeBased) {
    const weekday = (day + 4) % 7; // 1970-01-01 was a Thursday; 0 = Sunday
    if (weekday === 0) day -= 2;
    else if (weekday === 6) day -= 1;
    if (day < fromDay) day = fromDay;
  }
  return { day, minute: 7 * 60 + rng.int(0, 22) * 30 };
}

/** What every simulator of one stay's records shares: its random stream, the stay, the clock, and where records go. */
export interface StayContext {
  rng: Rng;
  stay: Stay;
  /** The Patient id a record made at `ms` points to (a duplicate Patient takes over from its creation on). */
  patientAt: (ms: number) => string;
  clock: Clock;
  out: Resource[];
}
