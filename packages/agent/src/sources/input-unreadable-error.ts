import { AgentError } from '../errors.js';

/**
 * An input path that cannot be read (missing, a permission problem, an I/O error, a bulk manifest naming a file
 * that is not there). Thrown, not reported as a `SourceProblem`: a path the operator named that does not exist is
 * a usage or configuration mistake, and computing figures from the other paths would publish wrong numbers.
 */
export class InputUnreadableError extends AgentError {
  override readonly name = 'InputUnreadableError';
  /** The path as the caller gave it (or the file inside a directory). */
  readonly path: string;

  constructor(path: string, reason: string, options?: { cause?: unknown }) {
    super('input-unreadable', `cannot read input ${path}: ${reason}`, options);
    this.path = path;
  }
}

export function isInputUnreadableError(value: unknown): value is InputUnreadableError {
  return value instanceof InputUnreadableError;
}
