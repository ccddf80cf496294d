import { AgentError } from '../errors.js';
import { CONFIG_PATH_ENV } from './config-defaults.js';

/** No config file at the path given by `--config`, `ESMS_CONFIG`, or the default. */
export class ConfigNotFoundError extends AgentError {
  override readonly name = 'ConfigNotFoundError';
  readonly path: string;

  constructor(path: string, options: { cause?: unknown } = {}) {
    super(
      'config-not-found',
      `config file not found: ${path} (create one with \`esms init\`, or name it with --config FILE or ${CONFIG_PATH_ENV})`,
      options,
    );
    this.path = path;
  }
}

export function isConfigNotFoundError(value: unknown): value is ConfigNotFoundError {
  return value instanceof ConfigNotFoundError;
}
