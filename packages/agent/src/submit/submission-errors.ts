import { AgentError } from '../errors.js';

/** How a failed send ended, as kept in the outbox and the evidence (never an axios object). */
export interface SubmissionFailureDetails {
  /** HTTP status of the ARS's answer, when there was one. */
  status?: number | undefined;
  /** Network error code (`ECONNRESET`, `ETIMEDOUT`, …) when no answer arrived. */
  networkCode?: string | undefined;
  /** How long the ARS asked us to wait (`Retry-After`), in milliseconds. */
  retryAfterMs?: number | undefined;
}

/**
 * A send that may succeed later (408, 425, 429, 5xx, network errors, timeouts): retried with backoff.
 * The submission stays pending.
 */
export class SubmissionTransientError extends AgentError {
  override readonly name = 'SubmissionTransientError';
  readonly status: number | undefined;
  readonly networkCode: string | undefined;
  readonly retryAfterMs: number | undefined;

  constructor(message: string, details: SubmissionFailureDetails = {}, options?: { cause?: unknown }) {
    super('submission-transient', message, options);
    this.status = details.status;
    this.networkCode = details.networkCode;
    this.retryAfterMs = details.retryAfterMs;
  }
}

/** The ARS refused the submission (other 4xx): kept as failed, reported, never retried blindly. */
export class SubmissionPermanentError extends AgentError {
  override readonly name = 'SubmissionPermanentError';
  readonly status: number | undefined;
  /** Only set for symmetry with transient errors; a permanent refusal is not retried. */
  readonly retryAfterMs: number | undefined;

  constructor(message: string, details: SubmissionFailureDetails = {}, options?: { cause?: unknown }) {
    super('submission-permanent', message, options);
    this.status = details.status;
    this.retryAfterMs = details.retryAfterMs;
  }
}

/** Transient failures went on past the configured deadline (or attempt limit): the item is marked failed. */
export class SubmissionDeadlineError extends AgentError {
  override readonly name = 'SubmissionDeadlineError';
  constructor(message: string, options?: { cause?: unknown }) {
    super('submission-deadline', message, options);
  }
}

export function isSubmissionTransientError(value: unknown): value is SubmissionTransientError {
  return value instanceof SubmissionTransientError;
}

export function isSubmissionPermanentError(value: unknown): value is SubmissionPermanentError {
  return value instanceof SubmissionPermanentError;
}
