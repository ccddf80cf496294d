import { gzipSync } from 'node:zlib';
import { BLOB_GZIP_LEVEL, BLOB_WRITE_BUFFER_BYTES } from './blobs.js';
import { createColumnarEncoder } from './projection-codec.js';
import type { Fact } from './recompute.js';

/**
 * A part of a projection encoded on its own (by a reader thread, for one slice of the input): columnar
 * blocks whose first one empties the dictionary, compressed as the blob writer compresses (gzip members of
 * `BLOB_WRITE_BUFFER_BYTES`). Segments appended in input order make the same projection bytes however many
 * threads encoded them, and the costly work (encoding, compressing) stays in the threads.
 */
export interface ProjectionSegment {
  /** gzip members; their uncompressed bytes, joined, are the segment's text. */
  members: Uint8Array[];
  /** Length of the uncompressed text. */
  bytes: number;
  /** Facts it holds. */
  count: number;
}

export interface ProjectionSegmentEncoder {
  /** Appends one (already pseudonymised) fact. */
  add(fact: Fact): void;
  /** Appends one (already pseudonymised) fact given as its fields (`ProjectionEncoder.addFields`). */
  addFields(kind: string, names: readonly string[], values: readonly unknown[], count: number): void;
  finish(): ProjectionSegment;
}

export function createProjectionSegmentEncoder(): ProjectionSegmentEncoder {
  const members: Uint8Array[] = [];
  let pending: string[] = [];
  let pendingBytes = 0;
  let bytes = 0;
  let count = 0;
  const compress = (): void => {
    if (pending.length === 0) return;
    members.push(gzipSync(Buffer.from(pending.join(''), 'utf8'), { level: BLOB_GZIP_LEVEL }));
    pending = [];
    pendingBytes = 0;
  };
  const encoder = createColumnarEncoder(
    (line) => {
      const length = Buffer.byteLength(line, 'utf8');
      pending.push(line);
      pendingBytes += length;
      bytes += length;
      if (pendingBytes >= BLOB_WRITE_BUFFER_BYTES) compress();
    },
    { segment: true },
  );
  return {
    add(fact) {
      encoder.add(fact);
      count += 1;
    },
    addFields(kind, names, values, fields) {
      encoder.addFields(kind, names, values, fields);
      count += 1;
    },
    finish() {
      encoder.end();
      compress();
      return { members, bytes, count };
    },
  };
}
