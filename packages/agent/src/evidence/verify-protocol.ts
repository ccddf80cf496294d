import type { ComputeOptions } from './recompute.js';

/**
 * Messages between `esms verify` (main thread, verify-threads.ts) and its recomputing workers
 * (verify-worker.ts). A *part* is a run of projection lines from one block that empties the dictionary
 * (`reset`) to the next: it decodes alone, so each part is decoded and counted by one worker into an
 * engine of its own, whose partial state the main thread merges in part order.
 */
export interface VerifyWorkerSetup {
  options: ComputeOptions;
  /** The version of the blocks, from the projection's header line. */
  version: 1 | 2 | 3;
}

export type ToVerifyWorker =
  /** The next line of a part, without its `\n` (UTF-8, its buffer transferred); `lineNumber` is its line. */
  | { type: 'line'; part: number; lineNumber: number; bytes: Uint8Array }
  /** Every line of the part has been sent. */
  | { type: 'end-part'; part: number }
  /** Person keys other parts' Patients have: a memory hint for the engines of the parts to come. */
  | { type: 'known-persons'; keys: string[] };

export type FromVerifyWorker =
  /** A line has been decoded and counted: its bytes are no longer held. */
  | { type: 'consumed'; bytes: number }
  | {
      type: 'part-done';
      part: number;
      /** The SDK's `EnginePartial` of the part (its typed arrays transferred). */
      partial: unknown;
      facts: number;
      /** The keys of the Patients this part read (see `known-persons`). */
      personKeys: string[];
    }
  /**
   * The part could not be decoded or counted: `message` is the error's, as one thread would have reported
   * it; `cut` when the part's first block does not start a dictionary (decode the projection in one piece).
   */
  | { type: 'part-failed'; part: number; message: string; cut: boolean };
