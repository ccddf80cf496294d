import type { ComputeOptions, EnginePartial } from '@esms-numerique/sdk';
import type { AgentErrorCode } from '../errors.js';
import type { PlannedFile } from '../sources/file-plan.js';
import type { InputIncomplete } from '../sources/input-incomplete.js';
import type { IncompleteInputPolicy } from './feed-engine.js';

/** Messages between the parallel reader (main thread) and its counting workers. */
export interface WorkerSetup {
  options: ComputeOptions;
  /** What to do with a file that cannot be read to its end (feed-engine.ts). */
  incompleteInput: IncompleteInputPolicy;
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
  | {
      type: 'partial';
      partial: EnginePartial;
      records: number;
      problems: number;
      incomplete: InputIncomplete[];
    }
  | { type: 'error'; code: AgentErrorCode; message: string; incomplete?: InputIncomplete };
