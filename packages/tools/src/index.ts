/**
 * @packageDocumentation
 * `@esms-numerique/tools`: the synthetic DUI data generator and the benchmark of the engine against its
 * floor (reading + JSON.parse) and a DuckDB peer baseline. Run through `pnpm generate` and `pnpm bench`.
 */
export { generateDataset, DEFAULT_MEASURE_DATE, DEFAULT_SEED, DEFAULT_SIZE } from './generate.js';
export type { GenerateOptions, GenerateSummary } from './generate.js';
export { DATASET_SIZES, type DatasetSize } from './establishments.js';
export { computeBaseline, BASELINE_INDICATOR_IDS } from './duckdb-baseline.js';
export type {
  BaselineCounts,
  BaselineEstablishment,
  BaselineOptions,
  BaselineResult,
  BaselineIndicatorId,
} from './duckdb-baseline.js';
export { compareWithBaseline, formatMismatchTable, type Mismatch } from './compare-results.js';
export {
  runBench,
  formatBenchTable,
  benchExitCode,
  DEFAULT_BENCH_RUNS,
  DEFAULT_BENCH_SIZES,
} from './bench.js';
export type { BenchOptions, BenchReport, ContenderFigures, SizeReport } from './bench.js';
export { isLuhnValid, luhnKey, makeFiness, timeZoneOfFiness } from './finess.js';
export { ToolsError, isToolsError, type ToolsErrorCode } from './errors.js';
