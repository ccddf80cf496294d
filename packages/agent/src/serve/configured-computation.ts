import type { EstablishmentExplanation, ResultsDocument } from '@esms-numerique/sdk';
import { computeOptionsFromConfig } from '../config/compute-options.js';
import type { LoadedConfig } from '../config/load-config.js';
import { computeFromSources } from '../runner/compute-from-source.js';
import { sourcesFromConfig } from '../runner/sources-from-config.js';
import { applyScope, scopeFromConfig } from '../scope/establishment-scope.js';
import { isSourceIncompleteError } from '../sources/source-incomplete-error.js';
import { describeIncomplete } from '../sources/input-incomplete.js';
import { isAgentError } from '../errors.js';
import { ServeError } from './serve-error.js';

export interface ConfiguredFigures {
  results: ResultsDocument;
  subjects: EstablishmentExplanation[];
}

/** The figures at measure date D over the configured sources, scoped to the configured ESSMS. */
export type ConfiguredComputation = (loaded: LoadedConfig, measureDate: string) => Promise<ConfiguredFigures>;

/**
 * What a run computes (the same sources, options, look-back window and scope as `run-once`), without
 * sealing or submitting. An input that cannot be read to its end gives no figure at all (indicators.md: a
 * service's figures are relied upon like a run's): 502 naming the input.
 */
export const computeConfigured: ConfiguredComputation = async (loaded, measureDate) => {
  const { config } = loaded;
  const yearBefore = `${Number(measureDate.slice(0, 4)) - 1}-01-01`;
  const projectStart = config.computation.projectStartDate;
  const windowStart = projectStart !== null && projectStart < yearBefore ? projectStart : yearBefore;
  try {
    const sources = await sourcesFromConfig(config, windowStart);
    const computed = await computeFromSources(sources, computeOptionsFromConfig(config, measureDate), {
      incompleteInput: 'fail',
    });
    const { results, subjects } = applyScope(computed.computation, scopeFromConfig(config));
    return { results, subjects };
  } catch (error) {
    if (isSourceIncompleteError(error)) {
      throw new ServeError(
        'input-incomplete',
        `a configured source could not be read to its end, so no figure is given: ${describeIncomplete(error.incomplete)}`,
        { cause: error },
      );
    }
    if (isAgentError(error)) {
      throw new ServeError('source-failed', `the configured sources could not be read: ${error.message}`, {
        cause: error,
      });
    }
    throw error;
  }
};
