import axios, { type AxiosResponse } from 'axios';
import { AgentError } from '../errors.js';
import { describeNetworkFailure, isTlsConfigurationFailure } from '../http/network-failure.js';
import { SubmissionPermanentError, SubmissionTransientError } from './submission-errors.js';

/** An overall deadline for one request (axios's own timeout only watches socket inactivity). */
export function combineSignals(signal: AbortSignal | undefined, timeoutMs: number): AbortSignal {
  const timeout = AbortSignal.timeout(timeoutMs);
  return signal === undefined ? timeout : AbortSignal.any([signal, timeout]);
}

/**
 * Runs an axios request and turns everything that is not an HTTP answer into our errors: the caller's
 * abort → `aborted`; timeouts and network failures → transient, naming the cause (`connection refused …
 * (ECONNREFUSED)`, `DNS failure: …`); a certificate not trusted, expired or for another host → permanent
 * (configuration). Axios errors never escape.
 */
export async function requestOrThrow<T>(
  request: () => Promise<AxiosResponse<T>>,
  signal: AbortSignal | undefined,
  timeoutMs: number,
  what: string,
): Promise<AxiosResponse<T>> {
  try {
    return await request();
  } catch (error) {
    if (signal?.aborted === true)
      throw new AgentError('aborted', `The ${what} was interrupted.`, { cause: error });
    const code = axios.isAxiosError(error) ? error.code : (error as NodeJS.ErrnoException | undefined)?.code;
    const timedOut = code === 'ECONNABORTED' || code === 'ETIMEDOUT' || code === 'ERR_CANCELED';
    if (timedOut) {
      throw new SubmissionTransientError(`The ${what} got no answer within ${timeoutMs} ms.`, {
        networkCode: 'ETIMEDOUT',
      });
    }
    const cause = axios.isAxiosError(error) ? (error.cause ?? new Error(error.message)) : error;
    const failure = describeNetworkFailure(error);
    if (isTlsConfigurationFailure(failure)) {
      // Not retried for 72 hours (follow-up O6): the same certificate gives the same answer until a
      // person sets the CA or fixes the endpoint; kept as failed, `esms resend` once that is done.
      throw new SubmissionPermanentError(
        `The ${what} failed: ${failure.description}. This is configuration, not a network outage: ` +
          'not retried (set the CA in the config, or check the endpoint and its certificate)',
        { networkCode: failure.code },
        { cause: sanitiseCause(cause) },
      );
    }
    throw new SubmissionTransientError(
      `The ${what} failed: ${failure.description}.`,
      { networkCode: failure.code ?? code },
      { cause: sanitiseCause(cause) },
    );
  }
}

/**
 * Keeps a cause's message and code but not the axios request config it may hold (headers with tokens).
 */
function sanitiseCause(cause: unknown): Error {
  if (cause instanceof Error && !axios.isAxiosError(cause)) return cause;
  const message = cause instanceof Error ? cause.message : String(cause);
  return new Error(message);
}
