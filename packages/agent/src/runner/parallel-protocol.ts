import type { AgentErrorCode } from '../errors.js';
import type { PlannedFile } from '../sources/file-plan.js';
import type { SourceProblem } from '../sources/source.js';

/** Messages between the parallel reader (main thread) and its fact workers. */
export interface WorkerSetup {
  allCarePlansAreProjetPersonnalise: boolean;
  batchSize: number;
  maxBatchesInFlight: number;
}

export type ToWorker =
  | { type: 'task'; file: PlannedFile; range: { start: number; end: number } | undefined }
  | { type: 'ack' }
  | { type: 'close' };

export type FromWorker =
  | { type: 'ready' }
  /** `facts`: a JSON array of facts. */
  | { type: 'facts'; facts: string; records: number }
  | { type: 'problem'; problem: SourceProblem }
  | { type: 'task-done' }
  | { type: 'error'; code: AgentErrorCode; message: string };
