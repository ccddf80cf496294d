import { describe, expect, it } from 'vitest';
import { parseRetryAfterMs } from './retry-after.js';

const NOW_MS = Date.parse('2024-04-01T10:00:00Z');

describe('parseRetryAfterMs', () => {
  it('reads Retry-After as seconds or as an HTTP date, and ignores garbage', () => {
    expect(parseRetryAfterMs('12', NOW_MS)).toBe(12_000);
    expect(parseRetryAfterMs(' 12 ', NOW_MS)).toBe(12_000);
    expect(parseRetryAfterMs('Mon, 01 Apr 2024 10:00:03 GMT', NOW_MS)).toBe(3000);
    expect(parseRetryAfterMs('Mon, 01 Apr 2024 09:00:00 GMT', NOW_MS)).toBe(0);
    expect(parseRetryAfterMs('soon', NOW_MS)).toBeUndefined();
    expect(parseRetryAfterMs(null, NOW_MS)).toBeUndefined();
    expect(parseRetryAfterMs(undefined, NOW_MS)).toBeUndefined();
  });
});
