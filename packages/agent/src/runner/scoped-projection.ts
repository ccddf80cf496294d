import { closeSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { readdir, rm } from 'node:fs/promises';
import { createReadStream } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
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

/** Where the facts wait between the read and the seal (in the data directory: same disk, same rights). */
const SPOOL_DIR = 'spool';
/** Facts are written to the spool in chunks of about this size. */
const SPOOL_CHUNK_BYTES = 1 << 20;

/**
 * The projection of a run, scoped to the configured ESSMS (follow-up F2; `scope/projection-scope.ts`).
 * The pseudonymised facts are spooled to a file as the engine produces them (`write`, synchronous like
 * `onFact`); once the figures are known, `seal` reads them back, keeps what the configured ESSMS need,
 * writes that as the projection blob and recomputes the figures from it. If the recomputation of the
 * configured ESSMS is not exactly the direct one, the whole projection is sealed instead (with a
 * warning): verification must never fail because of the scoping.
 */
export interface ScopedProjection {
  write(fact: Fact): void;
  seal(expected: {
    options: ComputeOptions;
    results: ResultsDocument;
    /** The subject lists as sealed (pseudonymised). */
    subjects: unknown;
  }): Promise<ProjectionBlob>;
  abort(): Promise<void>;
}

export async function createScopedProjection(
  store: Pick<EvidenceStore, 'createBlobWriter'>,
  dataDir: string,
  scope: EstablishmentScope,
  log: Logger,
): Promise<ScopedProjection> {
  const dir = join(dataDir, SPOOL_DIR);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  // A spool left by a run that crashed holds nothing anyone needs (that run sealed nothing from it);
  // runs hold the run lock, so no other run is using it.
  for (const name of await readdir(dir)) await rm(join(dir, name), { force: true });
  const path = join(dir, `projection-${randomBytes(6).toString('hex')}.ndjson`);
  const fd = openSync(path, 'wx', 0o600);
  let open = true;
  let chunk: string[] = [];
  let chunkBytes = 0;
  const flush = (): void => {
    if (chunk.length === 0) return;
    const data = Buffer.from(chunk.join(''), 'utf8');
    let offset = 0;
    while (offset < data.length) offset += writeSync(fd, data, offset);
    chunk = [];
    chunkBytes = 0;
  };
  const close = (): void => {
    if (!open) return;
    open = false;
    closeSync(fd);
  };
  const remove = async (): Promise<void> => {
    close();
    await rm(dir, { recursive: true, force: true });
  };
  const scoper = createProjectionScoper(scope);

  async function* spooled(): AsyncGenerator<Fact> {
    const lines = createInterface({ input: createReadStream(path, 'utf8'), crlfDelay: Infinity });
    for await (const line of lines) if (line !== '') yield JSON.parse(line) as Fact;
  }
  /** Writes the kept facts as the projection blob; with `options`, recomputes the figures from them too. */
  async function writeAll(
    keep: (fact: Fact) => Fact | null,
    options: ComputeOptions | null,
  ): Promise<{ blob: ProjectionBlob; recomputed: Computation | null }> {
    const writer = createProjectionWriter(store);
    try {
      async function* written(): AsyncGenerator<Fact> {
        for await (const fact of spooled()) {
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

  return {
    write(fact) {
      scoper.observe(fact);
      const line = `${JSON.stringify(fact)}\n`;
      chunk.push(line);
      chunkBytes += line.length;
      if (chunkBytes >= SPOOL_CHUNK_BYTES) flush();
    },
    async seal(expected) {
      try {
        flush();
        close();
        const filter = scoper.decide();
        if (filter === null) return (await writeAll((fact) => fact, null)).blob;
        const scoped = await writeAll((fact) => filter.keep(fact), expected.options);
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
        return (await writeAll((fact) => fact, null)).blob;
      } finally {
        await remove();
      }
    },
    abort: remove,
  };
}
