import type { AgentConfig } from '../config/agent-config-schema.js';
import type { HttpLogger } from '../http/http-logger.js';
import type { SubmissionTransport } from '../submit/ars-client.js';
import { createRetryPolicy, type RetryPolicy } from '../submit/retry-policy.js';
import { authFromConfig } from './auth-from-config.js';

type ArsConfig = NonNullable<AgentConfig['ars']>;

/** The ARS client of the config, its secrets read now from the environment or files. */
export async function arsTransportFromConfig(
  ars: ArsConfig,
  now: () => Date,
  logger?: HttpLogger,
): Promise<SubmissionTransport> {
  // Loaded when a submission is delivered (axios and its dependencies): a run without an ARS never needs it.
  const { ArsClient } = await import('../submit/ars-client.js');
  return new ArsClient({
    endpoint: ars.endpoint,
    auth: await authFromConfig(ars.auth, 'ars.auth'),
    proxy: ars.proxy ?? undefined,
    timeoutMs: ars.timeoutMs,
    now,
    logger,
  });
}

export function retryPolicyFromConfig(retry: ArsConfig['retry']): RetryPolicy {
  return createRetryPolicy({
    baseDelayMs: retry.initialDelayMs,
    maxDelayMs: retry.maxDelayMs,
    deadlineMs: retry.deadlineHours * 3_600_000,
    ...(retry.maxAttempts === null ? {} : { maxAttempts: retry.maxAttempts }),
  });
}
