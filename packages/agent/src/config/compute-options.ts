import { resolveOptions, SdkOptionsError, type ComputeOptions } from '@esms-numerique/sdk';
import type { AgentConfig } from './agent-config-schema.js';
import type { ConfigProblem } from './config-problem.js';

/**
 * The SDK's options for a computation at measure date D under this config: the named decisions of
 * `computation` and the time-zone overrides of `establishments`. The one mapping, shared by
 * `esms compute --config` and every run, so both compute the same figures from the same records.
 */
export function computeOptionsFromConfig(
  config: Pick<AgentConfig, 'computation' | 'establishments'>,
  measureDate: string,
): ComputeOptions {
  const timezoneOverrides: Record<string, string> = {};
  for (const e of config.establishments) if (e.timezone) timezoneOverrides[e.finess] = e.timezone;
  return {
    measureDate,
    denominatorScope: config.computation.denominatorScope,
    countCancelledEvents: config.computation.countCancelledEvents,
    finessMode: config.computation.finessMode,
    projectStartDate: config.computation.projectStartDate,
    allCarePlansAreProjetPersonnalise: config.computation.allCarePlansAreProjetPersonnalise,
    timezoneOverrides,
  };
}

/**
 * Where a user of the agent sets each SDK option: the SDK names its own option keys (`timezoneOverrides`),
 * which no config file or command line spells; an SDK option problem is told under these.
 */
export type OptionKeys = Readonly<Record<keyof ComputeOptions, string>>;

/** The config file's keys (`timezoneOverrides` is made of `establishments[].timezone`). */
export const CONFIG_OPTION_KEYS: OptionKeys = {
  measureDate: 'measureDate',
  denominatorScope: 'computation.denominatorScope',
  countCancelledEvents: 'computation.countCancelledEvents',
  finessMode: 'computation.finessMode',
  timezoneOverrides: 'establishments[].timezone',
  projectStartDate: 'computation.projectStartDate',
  allCarePlansAreProjetPersonnalise: 'computation.allCarePlansAreProjetPersonnalise',
};

/** The problems of an `SdkOptionsError`, each under the key the user set (`keys`), not the SDK's. */
export function optionProblems(error: SdkOptionsError, keys: OptionKeys): ConfigProblem[] {
  return error.issues.map((issue) => {
    const option = issue.key.split('.')[0] ?? issue.key;
    const key = Object.hasOwn(keys, option) ? keys[option as keyof ComputeOptions] : issue.key;
    return { key, message: issue.message };
  });
}

/** Any valid date: what the SDK refuses in a config's options does not depend on the measure date. */
const ANY_MEASURE_DATE = '2000-01-01';

/**
 * What the SDK refuses in the options this config maps to (more distinct time zones than a computation
 * can classify against), as config problems: a config is checked whole when it is loaded, so a run never
 * starts on options the SDK would refuse.
 */
export function computeOptionsProblems(
  config: Pick<AgentConfig, 'computation' | 'establishments'>,
): ConfigProblem[] {
  try {
    resolveOptions(computeOptionsFromConfig(config, ANY_MEASURE_DATE));
    return [];
  } catch (error) {
    if (error instanceof SdkOptionsError) return optionProblems(error, CONFIG_OPTION_KEYS);
    throw error;
  }
}
