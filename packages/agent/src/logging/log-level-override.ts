import { LOG_LEVELS, type LogLevel } from '../config/config-defaults.js';
import { UsageError } from '../errors.js';

/**
 * `esms --log-level LEVEL` and the `ESMS_LOG_LEVEL` environment variable (follow-up O7): a level for this
 * process that overrides the config's `logging.level`, so that debugging needs no edit of a root-owned
 * config. The flag is passed on as the variable, so the daemon keeps it across a reload.
 */
export const LOG_LEVEL_ENV = 'ESMS_LOG_LEVEL';

/** The level `value` names; bad usage (exit 2) naming the levels otherwise. */
export function parseLogLevel(value: string, where: string): LogLevel {
  const level = value.trim().toLowerCase();
  if ((LOG_LEVELS as readonly string[]).includes(level)) return level as LogLevel;
  throw new UsageError(`${where} must be one of ${LOG_LEVELS.join(', ')}, not "${value}"`);
}

/** The override in force, if any (checked by the CLI before any verb runs; ignored here when invalid). */
export function logLevelOverride(env: NodeJS.ProcessEnv = process.env): LogLevel | undefined {
  const value = env[LOG_LEVEL_ENV];
  if (value === undefined || value.trim() === '') return undefined;
  const level = value.trim().toLowerCase();
  return (LOG_LEVELS as readonly string[]).includes(level) ? (level as LogLevel) : undefined;
}
