import { UsageError } from '../errors.js';
import { MAX_DELIVERY_WAIT_MS } from './config-defaults.js';

const UNIT_MS: Readonly<Record<string, number>> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 };

/**
 * Commander parser of a `--wait` flag: a duration with its unit (`500ms`, `90s`, `5m`, `2h`), at most a
 * day, in milliseconds; `0s` (or `0ms`…) is "seal and queue, do not send now" (follow-up F13); anything
 * else is bad usage (exit 2 with the verb's usage).
 */
export function parseWaitFlag(value: string): number {
  const match = /^(\d+)(ms|s|m|h)$/.exec(value.trim());
  const ms = match === null ? Number.NaN : Number(match[1]) * (UNIT_MS[match[2] ?? ''] ?? Number.NaN);
  if (!Number.isSafeInteger(ms) || ms < 0 || ms > MAX_DELIVERY_WAIT_MS) {
    throw new UsageError(
      `--wait expects a duration with its unit (0s, 500ms, 90s, 5m, 2h; at most 24h), got "${value}"`,
    );
  }
  return ms;
}
