import { AgentError } from '../errors.js';

/**
 * An outbox file that cannot be read back (unparsable, wrong shape, body digest mismatch). It is left in
 * place and reported, never silently dropped: it may be the only copy of a submission.
 */
export class OutboxCorruptError extends AgentError {
  override readonly name = 'OutboxCorruptError';
  /** Path of the offending file. */
  readonly file: string;
  /** Why it cannot be trusted. */
  readonly reason: string;

  constructor(file: string, reason: string, options?: { cause?: unknown }) {
    super('outbox-corrupt', `Outbox file ${file} is corrupt: ${reason}`, options);
    this.file = file;
    this.reason = reason;
  }
}

export function isOutboxCorruptError(value: unknown): value is OutboxCorruptError {
  return value instanceof OutboxCorruptError;
}
