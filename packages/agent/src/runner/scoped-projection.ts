import {
  recomputeFromProjection,
  type Computation,
  type ComputeOptions,
  type Fact,
  type ResultsDocument,
} from '@esms-numerique/sdk';
import type { Logger } from 'pino';
import { compareResults, compareSubjects } from '../evidence/compare-figures.js';
import { createProjectionWriter, type ProjectionBlob } from '../evidence/projection-writer.js';
import type { Fact as EvidenceFact } from '../evidence/recompute.js';
import type { EvidenceStore } from '../evidence/store.js';
import { applyScope, type EstablishmentScope } from '../scope/establishment-scope.js';
import { createProjectionScoper } from '../scope/projection-scope.js';

/** What the scoped projection must recompute: the figures about to be sealed. */
export interface ScopedExpectation {
  options: ComputeOptions;
  results: ResultsDocument;
  /** The subject lists as sealed (pseudonymised). */
  subjects: unknown;
}

/**
 * Seals the projection of a run scoped to the configured ESSMS (follow-up F2; `scope/projection-scope.ts`),
 * from the whole projection the reader threads already wrote (`replay`, read twice: once to decide what the
 * configured ESSMS need, once to keep it), so the sources are read once (issue 13). The scoped projection is
 * recomputed; if that is not exactly the direct computation of the configured ESSMS, the whole projection is
 * sealed instead (with a warning): verification must never fail because of the scoping.
 */
export async function sealScopedProjection(
  store: Pick<EvidenceStore, 'createBlobWriter'>,
  scope: EstablishmentScope,
  log: Logger,
  replay: () => AsyncIterable<Fact>,
  expected: ScopedExpectation,
): Promise<ProjectionBlob> {
  const scoper = createProjectionScoper(scope);
  for await (const fact of replay()) scoper.observe(fact);
  const filter = scoper.decide();
  if (filter === null) return (await writeAll(store, replay(), (fact) => fact, null)).blob;
  const scoped = await writeAll(store, replay(), (fact) => filter.keep(fact), expected.options);
  const again = scoped.recomputed === null ? null : applyScope(scoped.recomputed, scope);
  const differences =
    again === null
      ? ['not recomputed']
      : [
          ...compareResults(expected.results, again.results),
          ...compareSubjects(expected.subjects, again.subjects),
        ];
  if (differences.length === 0) {
    log.debug(
      { droppedRecords: filter.droppedRecords(), facts: scoped.blob.count },
      'projection scoped to the configured ESSMS',
    );
    return scoped.blob;
  }
  // Never seen on real data; kept so that a gap in the scoping rule costs privacy, not a proof.
  log.warn(
    { differences: differences.slice(0, 3) },
    'the projection scoped to the configured ESSMS does not recompute their figures: the whole projection is sealed',
  );
  return (await writeAll(store, replay(), (fact) => fact, null)).blob;
}

/** Writes the kept facts as a projection blob; with `options`, recomputes the figures from them too. */
async function writeAll(
  store: Pick<EvidenceStore, 'createBlobWriter'>,
  facts: AsyncIterable<Fact>,
  keep: (fact: Fact) => Fact | null,
  options: ComputeOptions | null,
): Promise<{ blob: ProjectionBlob; recomputed: Computation | null }> {
  const writer = createProjectionWriter(store);
  try {
    async function* written(): AsyncGenerator<Fact> {
      for await (const fact of facts) {
        const kept = keep(fact);
        if (kept === null) continue;
        writer.write(kept as unknown as EvidenceFact);
        yield kept;
      }
    }
    let recomputed: Computation | null = null;
    if (options === null) for await (const fact of written()) void fact;
    else recomputed = await recomputeFromProjection(written(), options);
    return { blob: await writer.finish(), recomputed };
  } catch (error) {
    await writer.abort();
    throw error;
  }
}
