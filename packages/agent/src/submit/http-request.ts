import axios, { type AxiosResponse } from 'axios';
import { AgentError } from '../errors.js';
import { describeNetworkFailure } from '../http/network-failure.js';
import { SubmissionTransientError } from './submission-errors.js';

/** An overall deadline for one request (axios's own timeout only watches socket inactivity). */
export function combineSignals(signal: AbortSignal | undefined, timeoutMs: number): AbortSignal {
  const timeout = AbortSignal.timeout(timeoutMs);
  return signal === undefined ? timeout : AbortSignal.any([signal, timeout]);
}

/**
 * Runs an axios request and turns everything that is not an HTTP answer into our errors: the caller's
 * abort → `aborted`; timeouts and network failures → transient, naming the cause (`connection refused …
 * (ECONNREFUSED)`, `TLS failure: …`, `DNS failure: …`). Axios errors never escape.
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
