import { backoffDelayMs } from '../http/backoff.js';
import { parseRetryAfterMs } from '../http/retry-after.js';

/** One page request may take this long before it is abandoned (and retried). */
export const FHIR_REQUEST_TIMEOUT_MS = 60_000;
/** Attempts per request, the first included. */
export const FHIR_RETRY_MAX_ATTEMPTS = 6;
/** First backoff delay; doubled at each further attempt, with jitter. */
export const FHIR_RETRY_BASE_DELAY_MS = 500;
/** No wait is longer than this, a server's `Retry-After` included. */
export const FHIR_RETRY_MAX_DELAY_MS = 30_000;

/** Retries inside one read: a few attempts, short waits (a run must end; the next run reads again). */
export interface RetryPolicy {
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_RETRY_POLICY: Readonly<RetryPolicy> = {
  maxAttempts: FHIR_RETRY_MAX_ATTEMPTS,
  baseDelayMs: FHIR_RETRY_BASE_DELAY_MS,
  maxDelayMs: FHIR_RETRY_MAX_DELAY_MS,
};

/**
 * The wait before retry number `failedAttempts` (1 after the first failure): the server's `Retry-After` when
 * it sent one, else exponential backoff with equal jitter (see `Jitter`); never more than `maxDelayMs`, so
 * that a server asking for an hour does not stall the run (the attempt limit ends it instead).
 */
export function retryDelayMs(
  failedAttempts: number,
  retryAfter: string | null | undefined,
  policy: RetryPolicy,
  nowMs: number = Date.now(),
  random: () => number = Math.random,
): number {
  const fromServer = parseRetryAfterMs(retryAfter, nowMs);
  if (fromServer !== undefined) return Math.min(fromServer, policy.maxDelayMs);
  return backoffDelayMs(failedAttempts, policy, 'equal', random);
}
