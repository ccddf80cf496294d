import { sourceAbortedError } from './source-aborted.js';

/** One page request may take this long before it is abandoned (and retried). */
export const FHIR_REQUEST_TIMEOUT_MS = 60_000;
/** Attempts per request, the first included. */
export const FHIR_RETRY_MAX_ATTEMPTS = 6;
/** First backoff delay; doubled at each further attempt, with jitter. */
export const FHIR_RETRY_BASE_DELAY_MS = 500;
/** No wait is longer than this, a server's `Retry-After` included. */
export const FHIR_RETRY_MAX_DELAY_MS = 30_000;

/** Statuses worth retrying: the server is busy, rate-limiting or briefly down (contract.md §4 uses the same set). */
export const RETRYABLE_HTTP_STATUSES: ReadonlySet<number> = new Set([408, 425, 429, 500, 502, 503, 504]);

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

/** Waits `ms`, or rejects with the source's `aborted` error as soon as `signal` aborts. */
export type Sleep = (ms: number, signal: AbortSignal | undefined) => Promise<void>;

export const sleep: Sleep = (ms, signal) =>
  new Promise<void>((resolve, reject) => {
    if (signal?.aborted === true) {
      reject(sourceAbortedError(signal));
      return;
    }
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(sourceAbortedError(signal));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });

/**
 * The wait before retry number `failedAttempts` (1 after the first failure): the server's `Retry-After` (seconds
 * or an HTTP date) when it sent one, else exponential backoff with equal jitter (half fixed, half random, so
 * that concurrent searches do not retry in step); never more than `maxDelayMs`.
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
  const exponential = Math.min(policy.baseDelayMs * 2 ** (failedAttempts - 1), policy.maxDelayMs);
  return Math.round(exponential / 2 + (random() * exponential) / 2);
}

/** `Retry-After` in milliseconds (RFC 9110: delay-seconds or an HTTP date), or undefined when absent or invalid. */
export function parseRetryAfterMs(value: string | null | undefined, nowMs: number): number | undefined {
  if (value === null || value === undefined) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? undefined : Math.max(0, date - nowMs);
}
