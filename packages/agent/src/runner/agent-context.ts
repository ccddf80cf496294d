import { join } from 'node:path';
import type { AgentConfig } from '../config/agent-config-schema.js';
import { loadConfig, type LoadedConfig } from '../config/load-config.js';
import { createLogger, type AgentLogger } from '../logging/create-logger.js';

/** What every verb that acts on a configured agent needs: the validated config, a logger, the clock. */
export interface AgentContext {
  loaded: LoadedConfig;
  config: AgentConfig;
  logger: AgentLogger;
  dataDir: string;
  evidenceDir: string;
  now: () => Date;
}

export interface AgentContextOptions {
  logger?: AgentLogger | undefined;
  now?: (() => Date) | undefined;
}

/** Loads and validates the whole config first (never a partly applied one), then builds the logger. */
export async function openAgentContext(
  configPath: string,
  options: AgentContextOptions = {},
): Promise<AgentContext> {
  const loaded = await loadConfig(configPath);
  const { config } = loaded;
  const logger =
    options.logger ??
    createLogger({
      level: config.logging.level,
      format: config.logging.format,
      // Log times on the schedule's wall clock (with their offset): the hours the schedule speaks of.
      timezone: config.schedule.timezone,
    });
  return {
    loaded,
    config,
    logger,
    dataDir: config.dataDir,
    evidenceDir: evidenceDirectory(config.dataDir),
    now: options.now ?? (() => new Date()),
  };
}

export function evidenceDirectory(dataDir: string): string {
  return join(dataDir, 'evidence');
}
