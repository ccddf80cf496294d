import {
  DEFAULT_RETRY_DEADLINE_HOURS,
  DEFAULT_RETRY_INITIAL_DELAY_MS,
  DEFAULT_RETRY_MAX_DELAY_MS,
} from '../config/config-defaults.js';
import { backoffDelayMs } from '../http/backoff.js';

/**
 * When to try a transient failure again (contract.md §4): exponential backoff with full jitter, capped,
 * honouring the ARS's `Retry-After`, until a deadline after which the submission is marked failed.
 */

/**
 * Every duration of the retry policy, with its unit; all overridable (tests use milliseconds). The values are
 * the configuration's defaults (`ars.retry` in config-defaults.ts), so a policy built without options
 * (`createRetryPolicy()`, `deliverPending` without a policy) retries exactly as a configured run does.
 */
export const SUBMIT_RETRY_DEFAULTS = {
  /** First backoff ceiling; doubles at each failed attempt. */
  BASE_DELAY_MS: DEFAULT_RETRY_INITIAL_DELAY_MS,
  /** Largest wait between two attempts (Retry-After may ask for more). */
  MAX_DELAY_MS: DEFAULT_RETRY_MAX_DELAY_MS,
  /** How long after its creation a submission is still retried. */
  DEADLINE_MS: DEFAULT_RETRY_DEADLINE_HOURS * 3_600_000,
} as const;

export interface RetryPolicyOptions {
  baseDelayMs?: number | undefined;
  maxDelayMs?: number | undefined;
  deadlineMs?: number | undefined;
  /** Give up after this many failed attempts; unlimited (only the deadline) by default. */
  maxAttempts?: number | undefined;
  /** Source of jitter in [0, 1) (tests pass a fixed one). */
  random?: (() => number) | undefined;
}

export type RetryDecision =
  | { kind: 'retry'; delayMs: number }
  | { kind: 'give-up'; reason: 'deadline' | 'max-attempts'; message: string };

export interface RetryContext {
  /** Failed attempts so far, including the one just made (≥ 1). */
  attempts: number;
  /** When the submission entered the outbox. */
  createdAt: Date;
  now: Date;
  /** The ARS's `Retry-After`, in milliseconds, when it gave one. */
  retryAfterMs?: number | undefined;
}

export interface RetryPolicy {
  /** Milliseconds after `createdAt` beyond which no attempt is made. */
  readonly deadlineMs: number;
  /** The instant after which no attempt is made. */
  deadline(createdAt: Date): Date;
  /** What to do after a transient failure. */
  decide(context: RetryContext): RetryDecision;
}

/** Builds the retry policy; every option defaults to `SUBMIT_RETRY_DEFAULTS`. */
export function createRetryPolicy(options: RetryPolicyOptions = {}): RetryPolicy {
  const baseDelayMs = options.baseDelayMs ?? SUBMIT_RETRY_DEFAULTS.BASE_DELAY_MS;
  const maxDelayMs = options.maxDelayMs ?? SUBMIT_RETRY_DEFAULTS.MAX_DELAY_MS;
  const deadlineMs = options.deadlineMs ?? SUBMIT_RETRY_DEFAULTS.DEADLINE_MS;
  const random = options.random ?? Math.random;
  const { maxAttempts } = options;
  for (const [name, value] of Object.entries({ baseDelayMs, maxDelayMs, deadlineMs })) {
    if (!Number.isFinite(value) || value < 0)
      throw new RangeError(`Retry policy: ${name} must be a non-negative number.`);
  }
  if (maxAttempts !== undefined && (!Number.isInteger(maxAttempts) || maxAttempts < 1)) {
    throw new RangeError('Retry policy: maxAttempts must be a positive integer.');
  }

  const deadline = (createdAt: Date): Date => new Date(createdAt.getTime() + deadlineMs);

  return {
    deadlineMs,
    deadline,
    decide({ attempts, createdAt, now, retryAfterMs }: RetryContext): RetryDecision {
      if (maxAttempts !== undefined && attempts >= maxAttempts) {
        return { kind: 'give-up', reason: 'max-attempts', message: `gave up after ${attempts} attempts` };
      }
      const remainingMs = deadline(createdAt).getTime() - now.getTime();
      if (remainingMs <= 0) {
        return {
          kind: 'give-up',
          reason: 'deadline',
          message: `still failing at its retry deadline, ${readableDuration(deadlineMs)} after it was queued (${attempts} attempts)`,
        };
      }
      // Full jitter: the outbox's waits are long and many agents may retry one ARS at once (see `Jitter`).
      const backoffMs = backoffDelayMs(attempts, { baseDelayMs, maxDelayMs }, 'full', random);
      // The ARS's Retry-After is a floor; the deadline is a ceiling (one last try at the deadline).
      const delayMs = Math.min(Math.max(backoffMs, retryAfterMs ?? 0), remainingMs);
      return { kind: 'retry', delayMs };
    },
  };
}

/** `72 h`, `90 min`, `3 s`: the retry deadline as a person reads it (never "0 minutes"). */
export function readableDuration(ms: number): string {
  const HOUR_MS = 3_600_000;
  const MINUTE_MS = 60_000;
  if (ms >= 2 * HOUR_MS) return `${Math.round(ms / HOUR_MS)} h`;
  if (ms >= 2 * MINUTE_MS) return `${Math.round(ms / MINUTE_MS)} min`;
  if (ms >= 1000) return `${Math.round(ms / 1000)} s`;
  return `${Math.round(ms)} ms`;
}
