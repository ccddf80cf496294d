/** The two bounds of an exponential backoff, in milliseconds. */
export interface BackoffBounds {
  /** Ceiling of the first wait; doubled at each further failure. */
  baseDelayMs: number;
  /** No backoff wait is longer than this. */
  maxDelayMs: number;
}

/**
 * How the random part is spread (AWS Architecture Blog, "Exponential Backoff And Jitter"):
 * - `full`: uniform in [0, ceiling). Spreads many clients best; used for the outbox, whose waits are long.
 * - `equal`: half fixed, half random, in [ceiling/2, ceiling]. Never retries at once; used inside one read,
 *   where concurrent searches must not retry in step yet each wait must let a busy server breathe.
 */
export type Jitter = 'full' | 'equal';

/**
 * The wait before retry number `failedAttempts` (1 after the first failure): `min(max, base × 2^(n−1))`
 * spread by `jitter`. `random` returns a number in [0, 1) (tests pass a fixed one).
 */
export function backoffDelayMs(
  failedAttempts: number,
  bounds: BackoffBounds,
  jitter: Jitter,
  random: () => number = Math.random,
): number {
  // The exponent is capped so that 2 ** n stays finite for any attempt count.
  const exponent = Math.min(Math.max(failedAttempts, 1) - 1, 52);
  const ceilingMs = Math.min(bounds.maxDelayMs, bounds.baseDelayMs * 2 ** exponent);
  return jitter === 'full'
    ? Math.floor(random() * ceilingMs)
    : Math.round(ceilingMs / 2 + (random() * ceilingMs) / 2);
}
