import { gzipSync } from 'node:zlib';
import { BLOB_GZIP_LEVEL, BLOB_WRITE_BUFFER_BYTES } from './blobs.js';
import { JsonBytes } from './json-bytes.js';
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
  /**
   * The uncompressed bytes of each member, so that the blob writer hashes them without inflating the
   * members again (it did, in the one thread that appends every segment). Handed over between threads,
   * not copied (`segmentTransferList`).
   */
  texts?: Uint8Array[];
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
  const texts: Uint8Array[] = [];
  // The text of the member being filled: the encoder writes its lines here as bytes (no string per line).
  const out = new JsonBytes(BLOB_WRITE_BUFFER_BYTES + 512 * 1024);
  let bytes = 0;
  let count = 0;
  const compress = (): void => {
    if (out.length === 0) return;
    // Its own ArrayBuffer (never Node's pool), so it is handed to the appending thread, not copied.
    const text = Buffer.allocUnsafeSlow(out.length);
    out.buffer.copy(text, 0, 0, out.length);
    members.push(gzipSync(text, { level: BLOB_GZIP_LEVEL }));
    texts.push(text);
    out.clear();
  };
  let lineStart = 0;
  const encoder = createColumnarEncoder(
    {
      out,
      lineWritten() {
        bytes += out.length - lineStart;
        if (out.length >= BLOB_WRITE_BUFFER_BYTES) compress();
        lineStart = out.length;
      },
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
      return { members, texts, bytes, count };
    },
  };
}

/**
 * The buffers a segment's message can hand over to another thread instead of copying them: those that
 * are the whole of their `ArrayBuffer` (never a slice of Node's shared pool of small buffers).
 */
export function segmentTransferList(segment: ProjectionSegment | undefined): ArrayBuffer[] {
  if (segment === undefined) return [];
  const found = new Set<ArrayBuffer>();
  for (const bytes of [...segment.members, ...(segment.texts ?? [])]) {
    const buffer = bytes.buffer;
    if (buffer instanceof ArrayBuffer && bytes.byteOffset === 0 && bytes.byteLength === buffer.byteLength)
      found.add(buffer);
  }
  return [...found];
}
