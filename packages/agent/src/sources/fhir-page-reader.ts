import { Client } from 'fhir-kit-client';
import type { AuthSession } from './fhir-auth.js';
import { RETRYABLE_HTTP_STATUSES, retryDelayMs } from './fhir-retry.js';
import type { RetryPolicy, Sleep } from './fhir-retry.js';
import { OAuth2TransientError } from './oauth2-token-cache.js';
import { summariseOperationOutcome } from './operation-outcome-summary.js';
import { redactUrl } from './redact-url.js';
import { SourceAuthError } from './source-auth-error.js';
import { sourceAbortedError } from './source-aborted.js';
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
}

/** A searchset page as far as paging needs it; entries are left as the server sent them. */
export interface SearchPage {
  entry?: unknown[];
  link?: Array<{ relation?: unknown; url?: unknown }>;
}

/** What a failed attempt means for the retry loop. */
interface ClassifiedFailure {
  error: Error;
  retryable: boolean;
  retryAfter: string | null;
  unauthorized: boolean;
}

/**
 * Fetches searchset pages through fhir-kit-client, with retries (429/5xx/network/timeouts, honouring Retry-After),
 * one token renewal after a 401, and every failure turned into a typed error naming the type and the page.
 * fhir-kit-client rejects with bare objects carrying `response: { status, data }` and `config: { headers }`, and
 * with fetch's own errors for the network: both are wrapped here, and its messages (which hold full URLs, query
 * values included) are never reused.
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
      try {
        const timeout = AbortSignal.timeout(this.#options.timeoutMs);
        const requestSignal = signal === undefined ? timeout : AbortSignal.any([signal, timeout]);
        // The token request (OAuth2) shares the page's timeout.
        const auth = await this.#options.auth.requestHeaders(requestSignal);
        token = auth.token;
        const body: unknown = await this.#client.request(url, {
          options: { headers: auth.headers, signal: requestSignal },
        });
        return asSearchPage(body, context);
      } catch (error) {
        if (signal?.aborted === true) throw sourceAbortedError(signal);
        if (error instanceof SourceInvalidResponseError || error instanceof SourceAuthError) throw error;
        const failure = classify(error, context);
        if (failure.unauthorized && !renewedToken && this.#options.auth.renewAfterUnauthorized(token)) {
          renewedToken = true;
          attempt -= 1;
          continue;
        }
        if (!failure.retryable || attempt >= this.#options.retry.maxAttempts) throw failure.error;
        await this.#options.sleep(retryDelayMs(attempt, failure.retryAfter, this.#options.retry), signal);
      }
    }
  }
}

function classify(error: unknown, context: SourcePageContext): ClassifiedFailure {
  if (error instanceof OAuth2TransientError) {
    return {
      error: new SourceHttpError(context, error.status, error.message, { cause: error }),
      retryable: true,
      retryAfter: error.retryAfter,
      unauthorized: false,
    };
  }
  const status = httpStatusOf(error);
  if (status === undefined) {
    const timedOut = error instanceof DOMException && error.name === 'TimeoutError';
    const detail = timedOut
      ? 'no answer before the request timeout'
      : `network error (${networkCodeOf(error)})`;
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
    error: new SourceHttpError(context, status, detail),
    retryable: RETRYABLE_HTTP_STATUSES.has(status),
    retryAfter: retryAfterOf(error),
    unauthorized: false,
  };
}

function httpStatusOf(error: unknown): number | undefined {
  const status = (error as { response?: { status?: unknown } } | null)?.response?.status;
  return typeof status === 'number' ? status : undefined;
}

function retryAfterOf(error: unknown): string | null {
  const headers = (error as { config?: { headers?: unknown } }).config?.headers;
  return headers instanceof Headers ? headers.get('retry-after') : null;
}

/** `ECONNREFUSED`, `UND_ERR_SOCKET`…: fetch wraps the socket error as its `cause`. */
function networkCodeOf(error: unknown): string {
  const cause = (error as { cause?: { code?: unknown } } | null)?.cause;
  if (typeof cause?.code === 'string') return cause.code;
  return error instanceof Error ? error.name : 'unknown';
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
