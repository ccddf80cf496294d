/** The daemon's durations, with their units (STYLE.md §6). */

/**
 * How late a slot may still fire (event loop busy, laptop resumed): a monthly job at 05:07 instead of
 * 05:00 is fine. node-cron's own default (1 s) would report such a slot as missed and skip it.
 */
export const SCHEDULE_MISSED_TOLERANCE_MS = 15 * 60_000;

/**
 * After a clean stop the process should exit on its own; if a stray handle (a keep-alive socket) keeps it
 * alive, it is ended this long after the stop completed.
 */
export const EXIT_AFTER_STOP_GRACE_MS = 5_000;
