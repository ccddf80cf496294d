import { describe, expect, it } from 'vitest';
import { retrySchema } from '../config/ars-schema.js';
import { retryPolicyFromConfig } from '../runner/ars-from-config.js';
import { createRetryPolicy, SUBMIT_RETRY_DEFAULTS } from './retry-policy.js';

const createdAt = new Date('2024-04-01T00:00:00Z');
const at = (ms: number): Date => new Date(createdAt.getTime() + ms);

describe('createRetryPolicy', () => {
  it('backs off exponentially with full jitter, capped', () => {
    const policy = createRetryPolicy({ baseDelayMs: 100, maxDelayMs: 1_000, random: () => 0.5 });
    const delays = [1, 2, 3, 4, 5, 6].map((attempts) => {
      const decision = policy.decide({ attempts, createdAt, now: at(0) });
      return decision.kind === 'retry' ? decision.delayMs : -1;
    });
    expect(delays).toEqual([50, 100, 200, 400, 500, 500]);
    const low = createRetryPolicy({ baseDelayMs: 100, random: () => 0 }).decide({
      attempts: 3,
      createdAt,
      now: at(0),
    });
    expect(low).toEqual({ kind: 'retry', delayMs: 0 });
  });

  it('honours Retry-After as a floor, but never waits past the deadline', () => {
    const policy = createRetryPolicy({ baseDelayMs: 10, deadlineMs: 60_000, random: () => 0.5 });
    expect(policy.decide({ attempts: 1, createdAt, now: at(0), retryAfterMs: 5_000 })).toEqual({
      kind: 'retry',
      delayMs: 5_000,
    });
    expect(policy.decide({ attempts: 1, createdAt, now: at(50_000), retryAfterMs: 30_000 })).toEqual({
      kind: 'retry',
      delayMs: 10_000,
    });
  });

  it('gives up after the deadline, or after maxAttempts when set', () => {
    const policy = createRetryPolicy({ deadlineMs: 1_000, maxAttempts: 3 });
    expect(policy.decide({ attempts: 1, createdAt, now: at(1_000) })).toMatchObject({
      kind: 'give-up',
      reason: 'deadline',
    });
    expect(policy.decide({ attempts: 3, createdAt, now: at(0) })).toMatchObject({
      kind: 'give-up',
      reason: 'max-attempts',
    });
    expect(policy.decide({ attempts: 2, createdAt, now: at(999) }).kind).toBe('retry');
    expect(policy.deadline(createdAt)).toEqual(at(1_000));
  });

  it('says how long it tried in a unit a person reads, never "0 minutes" (follow-up F9)', () => {
    const short = createRetryPolicy({ deadlineMs: 3_600 });
    expect(short.decide({ attempts: 4, createdAt, now: at(3_600) })).toMatchObject({
      message: 'still failing at its retry deadline, 4 s after it was queued (4 attempts)',
    });
    const long = createRetryPolicy({ deadlineMs: 72 * 3_600_000 });
    expect(long.decide({ attempts: 30, createdAt, now: at(72 * 3_600_000) })).toMatchObject({
      message: 'still failing at its retry deadline, 72 h after it was queued (30 attempts)',
    });
  });

  it('defaults to a three-day deadline and rejects nonsense', () => {
    expect(createRetryPolicy().deadlineMs).toBe(SUBMIT_RETRY_DEFAULTS.DEADLINE_MS);
    expect(SUBMIT_RETRY_DEFAULTS.DEADLINE_MS).toBe(3 * 24 * 3_600_000);
    expect(() => createRetryPolicy({ baseDelayMs: -1 })).toThrow(RangeError);
    expect(() => createRetryPolicy({ maxAttempts: 0 })).toThrow(RangeError);
  });

  it('without options, retries exactly as a run configured with the default ars.retry does', () => {
    const configured = retryPolicyFromConfig(retrySchema.parse({}));
    const bare = createRetryPolicy({ random: () => 0.999 });
    const fromConfig = createRetryPolicy({
      baseDelayMs: retrySchema.parse({}).initialDelayMs,
      maxDelayMs: retrySchema.parse({}).maxDelayMs,
      random: () => 0.999,
    });
    expect(bare.deadlineMs).toBe(configured.deadlineMs);
    for (const attempts of [1, 2, 5, 12, 20]) {
      const context = { attempts, createdAt, now: at(1_000) };
      expect(bare.decide(context)).toEqual(fromConfig.decide(context));
    }
    // The first wait is at most the configured 1 s, the longest at most the configured hour.
    expect(bare.decide({ attempts: 1, createdAt, now: at(0) })).toMatchObject({ delayMs: 999 });
    expect(bare.decide({ attempts: 30, createdAt, now: at(0) })).toMatchObject({ delayMs: 3_596_400 });
  });
});
