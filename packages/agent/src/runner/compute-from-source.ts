import { availableParallelism } from 'node:os';
import { createEngine, type Computation, type Engine, type EngineOptions } from '@esms-numerique/sdk';
import { SILENT_PROGRESS, type ProgressObserver } from '../progress/progress-observer.js';
import type { InputIncomplete } from '../sources/input-incomplete.js';
import { isSourceIncompleteError } from '../sources/source-incomplete-error.js';
import type { RecordSource } from '../sources/source.js';
import {
  feedEngine,
  newFeedCounts,
  reportIncomplete,
  type FeedCounts,
  type IncompleteInputPolicy,
} from './feed-engine.js';
import { countFilesInParallel } from './parallel-count.js';
import { createFactCollector, timeFormSegment, type ProjectionSink } from './projection-facts.js';

export interface SourceComputation {
  computation: Computation;
  /** Records read (resources and Bundles), and lines or files that could not be parsed. */
  recordsRead: number;
  problems: number;
  /** Inputs that could not be read to their end (only with the `report` policy: `fail` throws). */
  incomplete: InputIncomplete[];
  options: Engine['options'];
}

/** Reader threads for local files: one per core, a few at most (one engine merges their counts). */
export const DEFAULT_READER_THREADS = Math.min(4, availableParallelism());

export interface ComputeFromSourcesOptions {
  signal?: AbortSignal | undefined;
  /**
   * Threads reading local files; 1 reads them in this thread. Default: from the input's size (one per
   * `BYTES_PER_READER_THREAD`), at most `DEFAULT_READER_THREADS`.
   */
  readerThreads?: number | undefined;
  /**
   * A run that seals: the evidence's projection, built by the readers themselves (each pseudonymises and
   * encodes what it reads) and appended in input order, the same bytes whatever the thread count.
   */
  projection?: ProjectionSink | undefined;
  /** Size of the byte ranges big NDJSON files are cut into (default `COMPUTE_SLICE_BYTES`, or `PARALLEL_SLICE_BYTES` when sealing; tests cut finer). */
  sliceBytes?: number | undefined;
  /** Told of the `read` and `compute` phases, each record by type and each page (default: nothing). */
  progress?: ProgressObserver | undefined;
  /**
   * An input that could not be read to its end: `fail` (the default: a run that seals or submits) throws
   * `SourceIncompleteError` and computes nothing; `report` (`esms compute`) computes the rest and reports it.
   */
  incompleteInput?: IncompleteInputPolicy | undefined;
}

/**
 * Streams every source into one SDK engine. Local files are read, parsed and counted by worker threads
 * (each with its own engine, merged here); other sources stream their records through this thread.
 * Unparsable input is reported through the engine, so it shows in the results' data quality, and the
 * computation goes on with the rest; an input that could not be read to its end fails the computation
 * (`SourceIncompleteError`), or with `incompleteInput: 'report'` is reported as `input-incomplete` too.
 */
export async function computeFromSources(
  sources: readonly RecordSource[],
  options: EngineOptions,
  {
    signal,
    readerThreads,
    progress = SILENT_PROGRESS,
    incompleteInput = 'fail',
    projection,
    sliceBytes,
  }: ComputeFromSourcesOptions = {},
): Promise<SourceComputation> {
  const onFact = options.onFact;
  const collector =
    projection === undefined
      ? undefined
      : createFactCollector(projection.pseudonymSecret, projection.sealedInputRoots, (fact) =>
          projection.write(fact),
        );
  const engine = createEngine(
    collector === undefined
      ? options
      : {
          ...options,
          onFact: (fact) => {
            onFact?.(fact);
            collector.onFact(fact);
          },
        },
  );
  const counts: FeedCounts = newFeedCounts();
  progress.phaseStarted('read');
  try {
    for (const source of sources) {
      // Worker threads count their share themselves (recognisers are functions: they cannot cross). Facts
      // stay in the threads, so a caller that wants every fact (`onFact`) reads in this thread, except the
      // evidence's projection, which the readers build themselves (and which goes through the same slices
      // with one thread, so its bytes do not depend on the count).
      // One thread (`--threads 1`) reads the same way, with no worker and whole files (line numbers in
      // findings, as `source.records()` gives): by batches rather than one record per async step (≈0.9 s at
      // size L, issue 13).
      const parallel = options.recognisers === undefined && (collector !== undefined || onFact === undefined);
      if (source.localPaths !== undefined && parallel) {
        const wholeFiles = readerThreads === 1 && collector === undefined;
        const read = await countFilesInParallel(source.localPaths, engine, {
          workers: readerThreads ?? { auto: DEFAULT_READER_THREADS },
          computeOptions: engine.options,
          signal,
          progress,
          incompleteInput,
          ...(wholeFiles
            ? { sliceBytes: Number.POSITIVE_INFINITY }
            : sliceBytes === undefined
              ? {}
              : { sliceBytes }),
          projection:
            collector === undefined || projection === undefined ? undefined : { sink: projection, collector },
        });
        counts.records += read.records;
        counts.problems += read.problems;
        counts.incomplete.push(...read.incomplete);
        continue;
      }
      try {
        await feedEngine(engine, source.records(signal, progress), counts, incompleteInput, progress);
      } catch (error) {
        // A source that stops at an incomplete input by itself (a FHIR search): reported like the others
        // when the caller only displays, the rest of that source unread.
        if (incompleteInput === 'fail' || !isSourceIncompleteError(error)) throw error;
        reportIncomplete(engine, error.incomplete, counts, 'report');
      }
    }
  } catch (error) {
    progress.phaseEnded('read', { outcome: 'failed' });
    throw error;
  }
  progress.phaseEnded('read', { details: { unreadable: counts.problems } });
  // Resolution of persons, séjours and establishments, then the indicators: the engine's last step.
  progress.phaseStarted('compute');
  let computation;
  try {
    computation = engine.finish();
    // Last: the time-form counts, summed over every reader (the engine's end hands this thread's over).
    if (collector !== undefined) projection?.appendSegment(timeFormSegment(collector.timeForms));
  } catch (error) {
    progress.phaseEnded('compute', { outcome: 'failed' });
    throw error;
  }
  progress.phaseEnded('compute', {
    details: { establishments: computation.results.establishments.length },
  });
  return {
    computation,
    recordsRead: counts.records,
    problems: counts.problems,
    incomplete: counts.incomplete,
    options: engine.options,
  };
}
