/**
 * @packageDocumentation
 * `@esms-numerique/agent`: the `esms` command (its verbs are the interface: contract.md §1). The few
 * exports below are for the repository's own tools (`pnpm generate` shows progress the way `esms` does);
 * everything else stays internal.
 */
export { createLogger } from './logging/create-logger.js';
export type { AgentLogger, CreateLoggerOptions, LogFormat } from './logging/create-logger.js';
export { progressReporter } from './progress/progress-reporter.js';
export type { ProgressMode, ProgressReporterOptions } from './progress/progress-reporter.js';
export { SILENT_PROGRESS } from './progress/progress-observer.js';
export type {
  PageCounter,
  PhaseDetails,
  PhaseEnd,
  PhaseStart,
  ProgressObserver,
  ProgressPhase,
  RecordCounter,
} from './progress/progress-observer.js';
