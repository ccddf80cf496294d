import * as z from 'zod';
import {
  DEFAULT_RETRY_DEADLINE_HOURS,
  DEFAULT_RETRY_INITIAL_DELAY_MS,
  DEFAULT_RETRY_MAX_DELAY_MS,
  DEFAULT_SUBMIT_TIMEOUT_MS,
  MAX_TIMEOUT_MS,
} from './config-defaults.js';
import { authSchema } from './auth-schema.js';
import { httpUrlSchema, positiveIntSchema } from './schema-primitives.js';

/** A year: no retry policy needs longer; the bound catches unit mistakes (ms written as hours). */
const MAX_DEADLINE_HOURS = 24 * 366;
const MAX_RETRY_DELAY_MS = 24 * 3_600_000;

/** Retries of transient failures (408, 425, 429, 5xx, network): exponential backoff with jitter. */
export const retrySchema = z
  .strictObject({
    initialDelayMs: positiveIntSchema(MAX_RETRY_DELAY_MS).default(DEFAULT_RETRY_INITIAL_DELAY_MS),
    maxDelayMs: positiveIntSchema(MAX_RETRY_DELAY_MS).default(DEFAULT_RETRY_MAX_DELAY_MS),
    /** After this many hours from the first attempt, a submission is reported as past its deadline. */
    deadlineHours: z
      .number({ error: 'must be a number of hours' })
      .positive({ error: 'must be more than 0' })
      .max(MAX_DEADLINE_HOURS, { error: `must be at most ${MAX_DEADLINE_HOURS} (a year)` })
      .default(DEFAULT_RETRY_DEADLINE_HOURS),
    /** `null`: no limit on the number of attempts, only the deadline. */
    maxAttempts: positiveIntSchema(1_000_000).nullable().default(null),
  })
  .check((ctx) => {
    if (ctx.value.maxDelayMs < ctx.value.initialDelayMs) {
      ctx.issues.push({
        code: 'custom',
        input: ctx.value,
        path: ['maxDelayMs'],
        message: `must be at least initialDelayMs (${ctx.value.initialDelayMs})`,
      });
    }
  });

/** The ARS collection endpoint (contract.md §4). */
export const arsSchema = z.strictObject({
  /** `POST {endpoint}` receives the transaction Bundle of MeasureReports. */
  endpoint: httpUrlSchema,
  auth: authSchema.prefault({ type: 'none' }),
  /** `null`: use the HTTPS_PROXY / HTTP_PROXY / NO_PROXY environment variables. */
  proxy: httpUrlSchema.nullable().default(null),
  timeoutMs: positiveIntSchema(MAX_TIMEOUT_MS).default(DEFAULT_SUBMIT_TIMEOUT_MS),
  retry: retrySchema.prefault({}),
});

export type RetryConfig = z.output<typeof retrySchema>;
export type ArsConfig = z.output<typeof arsSchema>;
