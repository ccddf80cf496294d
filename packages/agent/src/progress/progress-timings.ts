/** The progress display's timings and batch sizes, with their units (STYLE.md §6). */

/** A terminal status line is redrawn at most this often (four times a second). */
export const PROGRESS_REFRESH_INTERVAL_MS = 250;

/**
 * How many records a reader thread counts before it tells the main thread: often enough for a smooth
 * display, rarely enough that messages cost nothing next to the parsing.
 */
export const WORKER_PROGRESS_BATCH_RECORDS = 5_000;
