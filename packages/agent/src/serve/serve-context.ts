import type { LoadedConfig } from '../config/load-config.js';
import type { AgentLogger } from '../logging/create-logger.js';
import type { ServeAuth } from './auth.js';
import type { ConfiguredComputation } from './configured-computation.js';

/** What every route of the service is given (tests build their own). */
export interface ServeContext {
  /** `null`: no config; only `POST /compute` and the OpenAPI document are served. */
  loaded: LoadedConfig | null;
  auth: ServeAuth;
  bodyLimitBytes: number;
  /** The clock (MeasureReport.date, the dashboard's "next run", the default measure date). */
  now: () => Date;
  logger: AgentLogger;
  /** Computes over the configured sources (`$evaluate-measure`, the worklists). */
  computeConfigured: ConfiguredComputation;
}
