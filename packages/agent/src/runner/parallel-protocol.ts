import type { ComputeOptions, EnginePartial } from '@esms-numerique/sdk';
import type { AgentErrorCode } from '../errors.js';
import type { PlannedFile } from '../sources/file-plan.js';

/** Messages between the parallel reader (main thread) and its counting workers. */
export interface WorkerSetup {
  options: ComputeOptions;
  /** Persons the main thread has already read (see the SDK's `knownPersonKeys`). */
  knownPersonKeys: string[];
  /** Send `progress` messages (records counted by type, in batches) for the progress display. */
  reportProgress: boolean;
}

export type ToWorker =
  { type: 'task'; file: PlannedFile; range: { start: number; end: number } | undefined } | { type: 'finish' };

export type FromWorker =
  | { type: 'ready' }
  | { type: 'task-done' }
  /** Records read since the last such message, by resource type (only with `reportProgress`). */
  | { type: 'progress'; byType: Record<string, number> }
  /** Sent once, after `finish`: everything the worker counted. */
  | { type: 'partial'; partial: EnginePartial; records: number; problems: number }
  | { type: 'error'; code: AgentErrorCode; message: string };
