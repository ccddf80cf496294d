import { Client } from 'fhir-kit-client';
import { logHttpExchange, type HttpLogger } from '../http/http-logger.js';
import { describeNetworkFailure } from '../http/network-failure.js';
import { OAuth2TokenError } from '../http/oauth2-client-credentials.js';
import { redactUrl } from '../http/redact-url.js';
import type { Sleep } from '../http/sleep.js';
import { isTransientStatus } from '../http/transient-status.js';
import type { AuthSession } from './fhir-auth.js';
import { retryDelayMs } from './fhir-retry.js';
import type { RetryPolicy } from './fhir-retry.js';
import { summariseOperationOutcome } from '../http/operation-outcome-summary.js';
import { SourceAuthError } from './source-auth-error.js';
import { sourceAbortedError, throwIfSourceAborted } from './source-aborted.js';
import { SourceHttpError } from './source-http-error.js';
import { SourceInvalidResponseError } from './source-invalid-response-error.js';
import type { SourcePageContext } from './source-page-context.js';
import { describePage } from './source-page-context.js';

export interface PageReaderOptions {
  baseUrl: string;
  auth: AuthSession;
  timeoutMs: number;
  retry: RetryPolicy;
  sleep: Sleep;
  logger?: HttpLogger | undefined;
}

/** A searchset page as far as paging needs it; entries are left as the server sent them. */
export interface SearchPage {
  total?: unknown;
  entry?: unknown[];
  link?: Array<{ relation?: unknown; url?: unknown }>;
}

/** What a failed attempt means for the retry loop. */
interface ClassifiedFailure {
  error: Error;
  retryable: boolean;
  retryAfter: string | null;
  retryAfterMs?: number | undefined;
  unauthorized: boolean;
}

/**
 * Fetches searchset pages through fhir-kit-client, with retries (408/425/429/5xx/network/timeouts, honouring
 * Retry-After), one token renewal after a 401, and every failure turned into a typed error naming the type and
 * the page. fhir-kit-client rejects with errors carrying `response: { status, data }` and `config: { headers }`,
 * and with fetch's own errors for the network: both are wrapped here, and its messages (which hold full URLs,
 * query values included) are never reused. Each request is logged at debug level (redacted URL, status, time).
 */
export class FhirPageReader {
  readonly #client: Client;
  readonly #options: PageReaderOptions;

  constructor(options: PageReaderOptions) {
    this.#options = options;
    this.#client = new Client({
      baseUrl: options.baseUrl,
      customHeaders: options.auth.customHeaders,
      requestOptions: options.auth.requestOptions,
    });
  }

  /** GETs `url` (absolute) and returns it as a Bundle page. */
  async read(
    url: string,
    resourceType: string,
    page: number,
    signal: AbortSignal | undefined,
  ): Promise<SearchPage> {
    const context: SourcePageContext = { resourceType, page, url: redactUrl(url) };
    let renewedToken = false;
    for (let attempt = 1; ; attempt += 1) {
      let token: string | undefined;
      const startedMs = performance.now();
      let requested = false;
      try {
        const timeout = AbortSignal.timeout(this.#options.timeoutMs);
        const requestSignal = signal === undefined ? timeout : AbortSignal.any([signal, timeout]);
        // The token request (OAuth2) shares the page's timeout.
        const auth = await this.#options.auth.requestHeaders(requestSignal);
        token = auth.token;
        requested = true;
        const body: unknown = await this.#client.request(url, {
          options: { headers: auth.headers, signal: requestSignal },
        });
        const status = statusOfAnswer(body);
        logHttpExchange(this.#options.logger, {
          method: 'GET',
          url,
          status,
          durationMs: performance.now() - startedMs,
        });
        return asSearchPage(body, context);
      } catch (error) {
        if (requested) this.#logFailure(url, error, startedMs);
        if (signal?.aborted === true) throw sourceAbortedError(signal);
        if (error instanceof SourceInvalidResponseError || error instanceof SourceAuthError) throw error;
        const failure = classify(error, context);
        if (failure.unauthorized && !renewedToken && this.#options.auth.renewAfterUnauthorized(token)) {
          renewedToken = true;
          attempt -= 1;
          continue;
        }
        if (!failure.retryable || attempt >= this.#options.retry.maxAttempts) throw failure.error;
        const waitMs =
          failure.retryAfterMs === undefined
            ? retryDelayMs(attempt, failure.retryAfter, this.#options.retry)
            : Math.min(failure.retryAfterMs, this.#options.retry.maxDelayMs);
        await this.#options.sleep(waitMs, signal);
        throwIfSourceAborted(signal);
      }
    }
  }

  #logFailure(url: string, error: unknown, startedMs: number): void {
    const status = httpStatusOf(error);
    logHttpExchange(this.#options.logger, {
      method: 'GET',
      url,
      status,
      durationMs: performance.now() - startedMs,
      ...(status === undefined ? { failure: failureLabel(error) } : {}),
    });
  }
}

function failureLabel(error: unknown): string {
  if (error instanceof DOMException && error.name === 'TimeoutError') return 'timeout';
  return describeNetworkFailure(error).code ?? 'network';
}

function classify(error: unknown, context: SourcePageContext): ClassifiedFailure {
  if (error instanceof OAuth2TokenError) {
    if (!error.transient) {
      return {
        error: new SourceAuthError(`${describePage(context)}: ${error.message}`, error.status, error.url, {
          cause: error,
        }),
        retryable: false,
        retryAfter: null,
        unauthorized: false,
      };
    }
    return {
      error: new SourceHttpError(context, error.status, error.message, { cause: error }),
      retryable: true,
      retryAfter: null,
      retryAfterMs: error.retryAfterMs,
      unauthorized: false,
    };
  }
  const status = httpStatusOf(error);
  if (status === undefined) {
    const timedOut = error instanceof DOMException && error.name === 'TimeoutError';
    const detail = timedOut
      ? 'no answer before the request timeout'
      : describeNetworkFailure(error).description;
    return {
      error: new SourceHttpError(context, undefined, detail, { cause: error }),
      retryable: true,
      retryAfter: null,
      unauthorized: false,
    };
  }
  const data = (error as { response: { data?: unknown } }).response.data;
  if (status >= 200 && status < 300) {
    // fhir-kit-client rejects a 2xx whose body is not JSON.
    return {
      error: new SourceInvalidResponseError(context, `HTTP ${status} with a body that is not JSON`),
      retryable: false,
      retryAfter: null,
      unauthorized: false,
    };
  }
  const outcome = summariseOperationOutcome(data);
  const detail = `HTTP ${status}${outcome === undefined ? '' : ` (OperationOutcome: ${outcome})`}`;
  if (status === 401 || status === 403) {
    return {
      error: new SourceAuthError(
        `${describePage(context)}: the FHIR server refused our credentials, ${detail}`,
        status,
        context.url,
      ),
      retryable: false,
      retryAfter: null,
      unauthorized: status === 401,
    };
  }
  return {
    error: new SourceHttpError(context, status, detail, { outcome }),
    retryable: isTransientStatus(status),
    retryAfter: retryAfterOf(error),
    unauthorized: false,
  };
}

/** fhir-kit-client keeps the fetch Response on the parsed body (`Client.httpFor`). */
function statusOfAnswer(body: unknown): number | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  return Client.httpFor(body as never)?.response?.status;
}

function httpStatusOf(error: unknown): number | undefined {
  const status = (error as { response?: { status?: unknown } } | null)?.response?.status;
  return typeof status === 'number' ? status : undefined;
}

function retryAfterOf(error: unknown): string | null {
  const headers = (error as { config?: { headers?: unknown } }).config?.headers;
  return headers instanceof Headers ? headers.get('retry-after') : null;
}

function asSearchPage(body: unknown, context: SourcePageContext): SearchPage {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new SourceInvalidResponseError(context, 'the answer is not a FHIR resource');
  }
  const resource = body as { resourceType?: unknown; entry?: unknown; link?: unknown };
  if (resource.resourceType !== 'Bundle') {
    const outcome = summariseOperationOutcome(body);
    const found = typeof resource.resourceType === 'string' ? resource.resourceType : 'no resourceType';
    throw new SourceInvalidResponseError(
      context,
      `expected a searchset Bundle, got ${found}${outcome === undefined ? '' : ` (OperationOutcome: ${outcome})`}`,
    );
  }
  if (resource.entry !== undefined && !Array.isArray(resource.entry)) {
    throw new SourceInvalidResponseError(context, 'Bundle.entry is not an array');
  }
  if (resource.link !== undefined && !Array.isArray(resource.link)) {
    throw new SourceInvalidResponseError(context, 'Bundle.link is not an array');
  }
  return resource as SearchPage;
}
