import { AgentError } from '../errors.js';
import { formatProblemLines, type ConfigProblem } from '../config/config-problem.js';

/**
 * One or more secrets named in the config cannot be read. Each problem names the config key and where the
 * secret was expected (variable name or file path), never a value.
 */
export class SecretMissingError extends AgentError {
  override readonly name = 'SecretMissingError';
  readonly problems: readonly ConfigProblem[];

  constructor(problems: readonly ConfigProblem[], options: { cause?: unknown } = {}) {
    const first = problems[0];
    const message =
      problems.length === 1 && first !== undefined
        ? `secret missing: ${first.key}: ${first.message}`
        : `${problems.length} secrets missing\n${formatProblemLines(problems)}`;
    super('secret-missing', message, options);
    this.problems = problems;
  }
}

export function isSecretMissingError(value: unknown): value is SecretMissingError {
  return value instanceof SecretMissingError;
}
