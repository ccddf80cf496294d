import type { AgentConfig } from '../config/agent-config-schema.js';
import type { HttpLogger } from '../http/http-logger.js';
import { ArsClient, type ArsAuth, type SubmissionTransport } from '../submit/ars-client.js';
import { createRetryPolicy, type RetryPolicy } from '../submit/retry-policy.js';
import { authFromConfig } from './auth-from-config.js';

type ArsConfig = NonNullable<AgentConfig['ars']>;

/** The ARS client of the config, its secrets read now from the environment or files. */
export async function arsTransportFromConfig(
  ars: ArsConfig,
  now: () => Date,
  logger?: HttpLogger,
): Promise<SubmissionTransport> {
  const auth = await authFromConfig(ars.auth, 'ars.auth');
  const arsAuth: ArsAuth =
    auth.type === 'none'
      ? { kind: 'none' }
      : auth.type === 'bearer'
        ? { kind: 'bearer', token: auth.token }
        : auth.type === 'oauth2-client-credentials'
          ? {
              kind: 'oauth2-client-credentials',
              tokenUrl: auth.tokenUrl,
              clientId: auth.clientId,
              clientSecret: auth.clientSecret,
              ...(auth.scope ? { scope: auth.scope } : {}),
            }
          : {
              kind: 'client-certificate',
              cert: auth.cert,
              key: auth.key,
              ...(auth.passphrase ? { passphrase: auth.passphrase } : {}),
            };
  return new ArsClient({
    endpoint: ars.endpoint,
    auth: arsAuth,
    ...(auth.type === 'tls-client-certificate' && auth.ca !== undefined ? { ca: auth.ca } : {}),
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
