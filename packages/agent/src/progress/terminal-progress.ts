import { formatEndLine, formatRunningLine } from './format-progress.js';
import { PhaseTally } from './phase-tally.js';
import type { PhaseEnd, PhaseStart, ProgressObserver, ProgressPhase } from './progress-observer.js';
import { PROGRESS_REFRESH_INTERVAL_MS } from './progress-timings.js';
import { StatusLine, type TerminalStream } from './status-line.js';

export interface TerminalProgressOptions {
  /** Standard error (a terminal). Never standard output: that is where `--format json` documents go. */
  stream: TerminalStream;
  /** Monotonic milliseconds (default `performance.now`); tests pass a fake one. */
  now?: (() => number) | undefined;
  refreshIntervalMs?: number | undefined;
  /** Redraws while nothing is counted (a slow page, the compute phase); off in tests that drive the clock. */
  timer?: boolean | undefined;
}

/** Records counted between two looks at the clock: the clock is read per batch, not per record. */
const CLOCK_CHECK_EVERY_RECORDS = 256;

/**
 * Progress for a person at a terminal: one status line on standard error (phase, resource type, records
 * or pages read, rate, elapsed), redrawn at most `refreshIntervalMs` apart, and one line kept per phase
 * when it ends.
 */
export class TerminalProgress implements ProgressObserver {
  readonly #line: StatusLine;
  readonly #now: () => number;
  readonly #refreshMs: number;
  readonly #useTimer: boolean;
  #tally: PhaseTally | null = null;
  #lastDrawMs = Number.NEGATIVE_INFINITY;
  #sinceClockCheck = 0;
  #timer: NodeJS.Timeout | null = null;

  constructor(options: TerminalProgressOptions) {
    this.#line = new StatusLine(options.stream);
    this.#now = options.now ?? (() => performance.now());
    this.#refreshMs = options.refreshIntervalMs ?? PROGRESS_REFRESH_INTERVAL_MS;
    this.#useTimer = options.timer ?? true;
  }

  phaseStarted(phase: ProgressPhase, start: PhaseStart = {}): void {
    if (this.#tally !== null) this.phaseEnded(this.#tally.phase);
    this.#tally = new PhaseTally(phase, this.#now(), start.expectedRecords);
    this.#draw(this.#now());
    if (this.#useTimer) {
      this.#timer = setInterval(() => this.#maybeDraw(), this.#refreshMs);
      this.#timer.unref();
    }
  }

  phaseEnded(phase: ProgressPhase, end: PhaseEnd = {}): void {
    const tally = this.#tally;
    if (tally === null || tally.phase !== phase) return;
    this.#stopTimer();
    this.#tally = null;
    this.#line.finish(formatEndLine(tally.snapshot(this.#now()), end.outcome ?? 'ok'));
  }

  recordsRead(resourceType: string, count: number): void {
    const tally = this.#tally;
    if (tally === null) return;
    tally.addRecords(resourceType, count);
    this.#sinceClockCheck += count;
    if (this.#sinceClockCheck >= CLOCK_CHECK_EVERY_RECORDS) {
      this.#sinceClockCheck = 0;
      this.#maybeDraw();
    }
  }

  pageRead(resourceType: string): void {
    if (this.#tally === null) return;
    this.#tally.addPage(resourceType);
    this.#maybeDraw();
  }

  #maybeDraw(): void {
    const now = this.#now();
    if (now - this.#lastDrawMs >= this.#refreshMs) this.#draw(now);
  }

  #draw(now: number): void {
    if (this.#tally === null) return;
    this.#lastDrawMs = now;
    this.#line.show(formatRunningLine(this.#tally.snapshot(now)));
  }

  #stopTimer(): void {
    if (this.#timer !== null) clearInterval(this.#timer);
    this.#timer = null;
  }
}
