import { canonicalJson } from './canonical-json.js';
import type { Digest } from './canonical-json.js';
import type { Fact } from './recompute.js';
import type { EvidenceStore } from './store.js';

/** A sealed projection: its blob and how many facts it holds. */
export interface ProjectionBlob {
  digest: Digest;
  bytes: number;
  count: number;
}

export interface ProjectionWriter {
  /** Appends one (already pseudonymised) fact. Synchronous, so it can sit in the engine's `onFact`. */
  write(fact: Fact): void;
  finish(): Promise<ProjectionBlob>;
  abort(): Promise<void>;
}

/**
 * Streams projection facts into an NDJSON blob (one canonical-JSON fact per line) as the engine
 * produces them, so a run never holds the whole projection in memory. Facts must already be
 * pseudonymised (`pseudonymiseFact(fact, createPseudonymiser(secret))`): this writer does not look
 * inside them.
 */
export function createProjectionWriter(store: Pick<EvidenceStore, 'createBlobWriter'>): ProjectionWriter {
  const blob = store.createBlobWriter();
  let count = 0;
  return {
    write(fact) {
      blob.write(`${canonicalJson(fact)}\n`);
      count += 1;
    },
    async finish() {
      const info = await blob.finish();
      return { ...info, count };
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
