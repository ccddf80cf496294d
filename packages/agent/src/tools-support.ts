/**
 * @packageDocumentation
 * `@esms-numerique/agent/tools-support`. The agent declares no library API: its interface is the `esms`
 * command (contract.md §1), and the package's `exports` list no `.` entry. This subpath serves the
 * repository's own tools only (`pnpm generate` shows progress and logs the way `esms` does, and writes the
 * resource types `esms` reads), with no stability promise beyond this repository. It exists in the
 * workspace only: `publishConfig.exports` leaves it out of the packed manifest, so the package installed
 * with `npm install -g` (the `esms` command) exposes no subpath at all (test/install-package.test.ts).
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
export { FHIR_SEARCH_RESOURCE_TYPES } from './sources/fhir-search-plan.js';
