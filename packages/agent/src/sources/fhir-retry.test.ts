import { describe, expect, it } from 'vitest';
import { retryDelayMs } from './fhir-retry.js';

const policy = { maxAttempts: 6, baseDelayMs: 100, maxDelayMs: 5000 };
const NOW_MS = Date.parse('2024-04-01T10:00:00Z');

describe('retry delays of a FHIR read', () => {
  it("honours the server's wait up to the cap, else backs off exponentially with jitter up to the cap", () => {
    expect(retryDelayMs(1, '2', policy, NOW_MS)).toBe(2000);
    expect(retryDelayMs(1, '3600', policy, NOW_MS)).toBe(5000);
    expect([1, 2, 3].map((failed) => retryDelayMs(failed, null, policy, NOW_MS, () => 0))).toEqual([
      50, 100, 200,
    ]);
    expect([1, 2, 3].map((failed) => retryDelayMs(failed, null, policy, NOW_MS, () => 1))).toEqual([
      100, 200, 400,
    ]);
    expect(retryDelayMs(20, null, policy, NOW_MS, () => 1)).toBe(5000);
  });
});
