import { AgentError } from '../errors.js';

/** `esms init` found a config file already there and was not told to replace it. */
export class ConfigExistsError extends AgentError {
  override readonly name = 'ConfigExistsError';
  readonly path: string;

  constructor(path: string, options: { cause?: unknown } = {}) {
    super(
      'config-exists',
      `${path} already exists; nothing was written (pass --force to replace it, the old file is kept as .bak)`,
      options,
    );
    this.path = path;
  }
}
