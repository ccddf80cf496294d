import type { ColumnarEncoding } from './projection-codec.js';
import type { ComputeOptions } from './recompute.js';

/**
 * What `esms verify` (main thread, verify-threads.ts) tells a recomputing worker (verify-worker.ts), and
 * what the worker hands back. The projection's text is shared out by byte ranges: thread `index` of
 * `threads` decodes from the first line that starts a dictionary (`reset`) at or after `index / threads`
 * of the text to the first such line at or after `(index + 1) / threads` of it (see `rangeCuts`).
 */
export interface VerifyWorkerSetup {
  blob: { path: string; compressed: boolean };
  /** The projection's uncompressed size, as its entry declares it: no byte beyond it is read. */
  bytes: number;
  expected: ColumnarEncoding;
  options: ComputeOptions;
  index: number;
  threads: number;
}

/**
 * Keys of the Patients the main thread has read: the engines of the parts a worker starts from then on are
 * told (the SDK's `knownPersonKeys`), so they need not remember each record that refers to one of them.
 */
export type ToVerifyWorker = { type: 'known-persons'; keys: string[] };

export type FromVerifyWorker =
  /**
   * One part of the range decoded (from a block that empties the dictionary to the next): its engine's
   * `EnginePartial`, typed arrays transferred. Parts come in order; the main thread merges them in it.
   */
  | { type: 'part'; partial: unknown; facts: number }
  /** The range is decoded: SHA-256 (hex) of its bytes, compared with those the main thread hashed. */
  | { type: 'done'; digest: string }
  /**
   * The range could not be decoded or counted: `message` is the error's, as one thread would have given it;
   * `cut` when the range cannot be decoded apart (its first block does not start a dictionary, or the blob
   * is longer than declared): the caller then decodes the projection in one piece.
   */
  | {
      type: 'failed';
      message: string;
      cut: boolean;
      /** SHA-256 (hex) of the range's bytes, read to its end after the failure (`null` if they were not). */
      digest: string | null;
    };
