import { createEngine, type Computation, type EngineOptions, type Engine } from '@esms-numerique/sdk';
import type { RecordSource } from '../sources/source.js';

export interface SourceComputation {
  computation: Computation;
  /** Records read (resources and Bundles), and lines or files that could not be parsed. */
  recordsRead: number;
  problems: number;
  options: Engine['options'];
}

/**
 * Streams every source into one SDK engine. Unparsable input is reported through the engine, so it shows in
 * the results' data quality, and the computation goes on with the rest.
 */
export async function computeFromSources(
  sources: readonly RecordSource[],
  options: EngineOptions,
  signal?: AbortSignal,
): Promise<SourceComputation> {
  const engine = createEngine(options);
  let recordsRead = 0;
  let problems = 0;
  for (const source of sources) {
    for await (const item of source.records(signal)) {
      if (item.kind === 'record') {
        recordsRead++;
        engine.add(item.value);
      } else {
        problems++;
        engine.reportUnreadable(item.problem.location, item.problem.reason);
      }
    }
  }
  return { computation: engine.finish(), recordsRead, problems, options: engine.options };
}
