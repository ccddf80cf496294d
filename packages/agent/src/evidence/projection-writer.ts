import type { Digest } from './canonical-json.js';
import {
  COLUMNAR_ENCODING,
  type COLUMNAR_ENCODING_V1,
  type COLUMNAR_ENCODING_V2,
  COLUMNAR_HEADER_LINE,
  createColumnarEncoder,
  decodeColumnar,
  type ProjectionEncoder,
} from './projection-codec.js';
import type { ProjectionSegment } from './projection-segment.js';
import type { Fact } from './recompute.js';
import type { EvidenceStore } from './store.js';
import { lines } from './text-lines.js';

/** How the facts of a projection blob are laid out. */
export type ProjectionEncoding =
  /** One canonical-JSON fact per line: runs sealed before the compact encoding (still verified). */
  | 'ndjson'
  /** `projection-codec.ts`: blocks of columns, keys written once; facts grouped by kind (still verified). */
  | typeof COLUMNAR_ENCODING_V1
  /** `projection-codec.ts`: blocks of consecutive facts, columns per kind, the kinds' sequence kept (still verified). */
  | typeof COLUMNAR_ENCODING_V2
  /** The same, with columns written as their runs or as another kind's field (`projection-codec.ts`). */
  | typeof COLUMNAR_ENCODING;

/** A sealed projection: its blob, how many facts it holds and how they are encoded. */
export interface ProjectionBlob {
  digest: Digest;
  /** Length of the encoded projection, uncompressed. */
  bytes: number;
  count: number;
  /** Absent from runs sealed before the compact encoding: `ndjson`. */
  encoding?: ProjectionEncoding;
}

export interface ProjectionWriter {
  /** Appends one (already pseudonymised) fact. Synchronous, so it can sit in the engine's `onFact`. */
  write(fact: Fact): void;
  /** Appends a segment encoded elsewhere (`projection-segment.ts`), after every fact written so far. */
  appendSegment(segment: ProjectionSegment): void;
  /**
   * The facts written so far, decoded again from the blob being written (which stays unfinished): a run
   * scopes its projection from them (`scoped-projection.ts`) instead of reading its sources twice.
   */
  replay(): AsyncIterable<Fact>;
  finish(): Promise<ProjectionBlob>;
  abort(): Promise<void>;
}

/**
 * Streams projection facts into a blob in the compact columnar encoding as the engine produces them, so
 * a run never holds the whole projection in memory (a block of facts, and a bounded key
 * dictionary). Facts must already be pseudonymised (`pseudonymiseFact(fact, createPseudonymiser(secret))`):
 * this writer does not look inside them.
 */
export function createProjectionWriter(store: Pick<EvidenceStore, 'createBlobWriter'>): ProjectionWriter {
  const blob = store.createBlobWriter();
  blob.write(COLUMNAR_HEADER_LINE);
  // Facts written here go into a segment of their own too, ended when another segment is appended.
  let encoder: ProjectionEncoder | undefined;
  let count = 0;
  return {
    write(fact) {
      encoder ??= createColumnarEncoder((line) => blob.write(line), { segment: true });
      encoder.add(fact);
      count += 1;
    },
    appendSegment(segment) {
      encoder?.end();
      encoder = undefined;
      blob.writeGzipMembers(segment.members, segment.texts);
      count += segment.count;
    },
    replay() {
      encoder?.end();
      encoder = undefined;
      return decodeColumnar(lines(blob.replay() as AsyncIterable<Buffer>), COLUMNAR_ENCODING);
    },
    async finish() {
      encoder?.end();
      const info = await blob.finish();
      return { ...info, count, encoding: COLUMNAR_ENCODING };
    },
    abort: () => blob.abort(),
  };
}

/** Writes a whole iterable of facts as a projection blob. */
export async function writeProjection(
  store: Pick<EvidenceStore, 'createBlobWriter'>,
  facts: Iterable<Fact> | AsyncIterable<Fact>,
): Promise<ProjectionBlob> {
  const writer = createProjectionWriter(store);
  try {
    for await (const fact of facts) writer.write(fact);
  } catch (error) {
    await writer.abort();
    throw error;
  }
  return writer.finish();
}
