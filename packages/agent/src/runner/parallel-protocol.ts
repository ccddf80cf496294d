import type { ComputeOptions, EnginePartial } from '@esms-numerique/sdk';
import type { AgentErrorCode } from '../errors.js';
import type { ProjectionSegment } from '../evidence/projection-segment.js';
import type { PlannedFile } from '../sources/file-plan.js';
import type { InputIncomplete } from '../sources/input-incomplete.js';
import type { IncompleteInputPolicy } from './feed-engine.js';

/** Messages between the parallel reader (main thread) and its counting workers. */
export interface WorkerSetup {
  options: ComputeOptions;
  /** What to do with a file that cannot be read to its end (feed-engine.ts). */
  incompleteInput: IncompleteInputPolicy;
  /** Send `progress` messages (records counted by type, in batches) for the progress display. */
  reportProgress: boolean;
  /** Set when the run seals: each task's facts are pseudonymised with it and sent back as a segment. */
  pseudonymSecret?: Uint8Array | undefined;
  /** With `pseudonymSecret`: the configured file source paths, for the sealed file names (audit G10). */
  sealedInputRoots?: readonly string[] | undefined;
}

export type ToWorker =
  /**
   * Sent once, before the first task: the persons the main thread has read (see the SDK's
   * `knownPersonKeys`). Not in `WorkerSetup`, so that the worker starts (its isolate, its code) while the
   * main thread is still reading them.
   */
  | { type: 'start'; knownPersonKeys: string[] }
  | {
      type: 'task';
      /** The task's place in input order (its projection segment's). */
      index: number;
      file: PlannedFile;
      range: { start: number; end: number } | undefined;
    }
  | { type: 'finish' };

export type FromWorker =
  | { type: 'ready' }
  /** With `pseudonymSecret`: the task's projection segment. */
  | { type: 'task-done'; index: number; segment?: ProjectionSegment }
  /** Records read since the last such message, by resource type (only with `reportProgress`). */
  | { type: 'progress'; byType: Record<string, number> }
  /** Sent once, after `finish`: everything the worker counted. */
  | {
      type: 'partial';
      partial: EnginePartial;
      records: number;
      problems: number;
      incomplete: InputIncomplete[];
      /** With `pseudonymSecret`: the time-form counts of everything the worker read. */
      timeForms?: [string, number][];
    }
  | { type: 'error'; code: AgentErrorCode; message: string; incomplete?: InputIncomplete };
