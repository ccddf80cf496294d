import type { AgentLogger } from '../logging/create-logger.js';
import { LogProgress } from './log-progress.js';
import { SILENT_PROGRESS, type ProgressObserver } from './progress-observer.js';
import type { TerminalStream } from './status-line.js';
import { TerminalProgress } from './terminal-progress.js';

/** `auto`: a status line on a terminal, else phase lines in the log; `none`: nothing. */
export type ProgressMode = 'auto' | 'terminal' | 'log' | 'none';

export interface ProgressReporterOptions {
  mode?: ProgressMode | undefined;
  /** Where a terminal display goes: standard error by default (never standard output). */
  stream?: TerminalStream | undefined;
  /** Where phase lines go (at info level) when standard error is not a terminal. */
  logger?: AgentLogger | undefined;
  now?: (() => number) | undefined;
}

/**
 * The progress reporter of a command: on a terminal (standard error is a TTY) a status line refreshed a
 * few times a second; otherwise phase lines in the JSON log (start and end of each phase, counts,
 * durations); nothing when there is no logger for them or `mode` is `none`.
 */
export function progressReporter(options: ProgressReporterOptions = {}): ProgressObserver {
  const stream = options.stream ?? process.stderr;
  const mode = options.mode ?? 'auto';
  const terminal = mode === 'terminal' || (mode === 'auto' && stream.isTTY === true);
  if (mode === 'none') return SILENT_PROGRESS;
  if (terminal) return new TerminalProgress({ stream, now: options.now });
  if (options.logger === undefined) return SILENT_PROGRESS;
  return new LogProgress({ logger: options.logger.child({ component: 'progress' }), now: options.now });
}
