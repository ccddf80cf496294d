import { AgentError } from '../errors.js';
import { formatProblemLines, type ConfigProblem } from './config-problem.js';

/**
 * The config file does not validate. Carries every problem at once (STYLE.md §5); the message lists them
 * one per line as `key: message`, so `main` printing the message is enough for a person to fix them all.
 */
export class ConfigInvalidError extends AgentError {
  override readonly name = 'ConfigInvalidError';
  readonly problems: readonly ConfigProblem[];
  /** Absolute path of the config file, when the config came from a file. */
  readonly path: string | undefined;

  constructor(
    problems: readonly ConfigProblem[],
    options: { path?: string | undefined; cause?: unknown } = {},
  ) {
    const where = options.path === undefined ? '' : ` (${options.path})`;
    const count = `${problems.length} problem${problems.length === 1 ? '' : 's'}`;
    super('config-invalid', `config invalid${where}: ${count}\n${formatProblemLines(problems)}`, {
      cause: options.cause,
    });
    this.problems = problems;
    this.path = options.path;
  }
}

export function isConfigInvalidError(value: unknown): value is ConfigInvalidError {
  return value instanceof ConfigInvalidError;
}
