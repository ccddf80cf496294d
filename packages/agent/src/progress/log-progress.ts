import type { AgentLogger } from '../logging/create-logger.js';
import { PhaseTally } from './phase-tally.js';
import type { PhaseEnd, PhaseStart, ProgressObserver, ProgressPhase } from './progress-observer.js';

/** The slice of a logger the phase lines need. */
export type PhaseLogger = Pick<AgentLogger, 'info' | 'warn'>;

export interface LogProgressOptions {
  logger: PhaseLogger;
  now?: (() => number) | undefined;
}

/**
 * Progress where nobody watches (a pipe, journald, a log file): one JSON line at info level when a phase
 * starts and one when it ends, with its duration and counts (records and pages, by resource type, and the
 * rate). Nothing per record: the lines are there to be read afterwards, and to be graphed.
 */
export class LogProgress implements ProgressObserver {
  readonly #log: PhaseLogger;
  readonly #now: () => number;
  #tally: PhaseTally | null = null;

  constructor(options: LogProgressOptions) {
    this.#log = options.logger;
    this.#now = options.now ?? (() => performance.now());
  }

  phaseStarted(phase: ProgressPhase, start: PhaseStart = {}): void {
    if (this.#tally !== null) this.phaseEnded(this.#tally.phase);
    this.#tally = new PhaseTally(phase, this.#now(), start.expectedRecords);
    this.#log.info(
      { phase, ...(start.expectedRecords === undefined ? {} : { expectedRecords: start.expectedRecords }) },
      `${phase} started`,
    );
  }

  phaseEnded(phase: ProgressPhase, end: PhaseEnd = {}): void {
    const tally = this.#tally;
    if (tally === null || tally.phase !== phase) return;
    this.#tally = null;
    const s = tally.snapshot(this.#now());
    const outcome = end.outcome ?? 'ok';
    const counted =
      s.records > 0 || s.pages > 0 || phase === 'read' || phase === 'generate'
        ? { records: s.records, pages: s.pages, recordsPerSecond: s.recordsPerSecond, byType: s.byType }
        : {};
    const line = { phase, outcome, durationMs: Math.round(s.elapsedMs), ...counted, ...end.details };
    if (outcome === 'failed') this.#log.warn(line, `${phase} stopped`);
    else this.#log.info(line, `${phase} ended`);
  }

  recordsRead(resourceType: string, count: number): void {
    this.#tally?.addRecords(resourceType, count);
  }

  pageRead(resourceType: string): void {
    this.#tally?.addPage(resourceType);
  }
}
