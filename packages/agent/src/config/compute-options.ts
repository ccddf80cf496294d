import type { ComputeOptions } from '@esms-numerique/sdk';
import type { AgentConfig } from './agent-config-schema.js';

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
