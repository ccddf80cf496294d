import { availableParallelism } from 'node:os';
import { createEngine, type Computation, type Engine, type EngineOptions } from '@esms-numerique/sdk';
import type { RecordSource } from '../sources/source.js';
import { readFactsInParallel } from './parallel-read.js';

export interface SourceComputation {
  computation: Computation;
  /** Records read (resources and Bundles), and lines or files that could not be parsed. */
  recordsRead: number;
  problems: number;
  options: Engine['options'];
}

/**
 * Reader threads for local files. One by default: measured on 2 cores, shipping facts from reader
 * threads costs more than parsing in parallel saves (see the README's Performance section).
 */
export const DEFAULT_READER_THREADS = 1;
/** An upper bound for `--threads`: more readers than cores only adds contention. */
export const MAX_READER_THREADS = Math.max(1, availableParallelism());

export interface ComputeFromSourcesOptions {
  signal?: AbortSignal | undefined;
  /** Threads reading local files; 1 reads them in this thread. Default `DEFAULT_READER_THREADS`. */
  readerThreads?: number | undefined;
}

/**
 * Streams every source into one SDK engine. Local files are parsed and turned into facts by reader threads
 * (the costly part), then counted here; other sources stream their records through this thread.
 * Unparsable input is reported through the engine, so it shows in the results' data quality, and the
 * computation goes on with the rest.
 */
export async function computeFromSources(
  sources: readonly RecordSource[],
  options: EngineOptions,
  { signal, readerThreads = DEFAULT_READER_THREADS }: ComputeFromSourcesOptions = {},
): Promise<SourceComputation> {
  const engine = createEngine(options);
  const onFact = options.onFact;
  let recordsRead = 0;
  let problems = 0;
  const reportProblem = (location: string, reason: string): void => {
    problems++;
    engine.reportUnreadable(location, reason);
  };
  for (const source of sources) {
    if (source.localPaths !== undefined && readerThreads > 1) {
      const read = await readFactsInParallel(
        source.localPaths,
        {
          workers: readerThreads,
          allCarePlansAreProjetPersonnalise: options.allCarePlansAreProjetPersonnalise ?? false,
          signal,
        },
        {
          // addFact does not call onFact (it is how projections are replayed): call it here.
          fact: (fact) => {
            onFact?.(fact);
            engine.addFact(fact);
          },
          problem: (problem) => reportProblem(problem.location, problem.reason),
        },
      );
      recordsRead += read.records;
      continue;
    }
    for await (const item of source.records(signal)) {
      if (item.kind === 'record') {
        recordsRead++;
        engine.add(item.value);
      } else {
        reportProblem(item.problem.location, item.problem.reason);
      }
    }
  }
  return { computation: engine.finish(), recordsRead, problems, options: engine.options };
}
