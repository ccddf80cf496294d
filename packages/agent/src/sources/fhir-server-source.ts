import { AgentError } from '../errors.js';
import type { HttpLogger } from '../http/http-logger.js';
import type { ProxySetting } from '../http/proxy.js';
import { redactUrl } from '../http/redact-url.js';
import { abortableSleep, type Sleep } from '../http/sleep.js';
import { boundedMerge } from './bounded-merge.js';
import { openAuthSession } from './fhir-auth.js';
import type { HttpAuth } from '../http/http-auth.js';
import { FhirPageReader } from './fhir-page-reader.js';
import { DEFAULT_RETRY_POLICY, FHIR_REQUEST_TIMEOUT_MS } from './fhir-retry.js';
import type { RetryPolicy } from './fhir-retry.js';
import { FHIR_DEFAULT_PAGE_SIZE, FHIR_SEARCH_RESOURCE_TYPES, planSearches } from './fhir-search-plan.js';
import { searchProducer } from './fhir-search-walk.js';
import { sourceAbortedError, throwIfSourceAborted } from './source-aborted.js';
import type { PageCounter } from '../progress/progress-observer.js';
import type { RecordSource, SourceItem } from './source.js';

/** Searches run at once (one request in flight each): polite to a DUI's server, and enough to hide latency. */
export const FHIR_DEFAULT_CONCURRENCY = 4;

export interface FhirServerSourceOptions {
  /** The FHIR R4 base URL (`https://dui.example/fhir`). */
  baseUrl: string;
  /** Default `{ type: 'none' }`. */
  auth?: HttpAuth | undefined;
  /** Proxy URL, `false` for none; `undefined` follows HTTPS_PROXY / HTTP_PROXY / NO_PROXY. */
  proxy?: ProxySetting;
  /** `_count` of each search; default 500. */
  pageSize?: number | undefined;
  /** At most this many requests in flight; default 4. */
  concurrency?: number | undefined;
  /** Per request, retries included separately; default `FHIR_REQUEST_TIMEOUT_MS`. */
  timeoutMs?: number | undefined;
  /** Default `FHIR_SEARCH_RESOURCE_TYPES`. */
  resourceTypes?: readonly string[] | undefined;
  /** First local day (or an instant) from which AuditEvents can matter; see `planSearches`. */
  auditEventsSince?: string | undefined;
  /** First local day (or an instant) from which agenda events can matter; see `planSearches`. */
  encounterEventsSince?: string | undefined;
  /** Ask for the elements of `FHIR_SEARCH_ELEMENTS` only; off by default (see there why). */
  useElements?: boolean | undefined;
  retry?: Partial<RetryPolicy> | undefined;
  /** Replaces the retry wait (tests record the delays instead of waiting them). */
  sleep?: Sleep | undefined;
  /** The component's logger: each request at debug level, a refused optional parameter once at warn. */
  logger?: HttpLogger | undefined;
}

/**
 * A record source that reads a DUI's FHIR R4 server: one search per resource type the rules need, each followed
 * through its `next` links to the last page, at most `concurrency` requests in flight. Resources are yielded page by
 * page as they arrive (memory holds a few pages and the ids read, never a whole type). Entries the server marks as
 * `search.mode = outcome` are not records: their warnings and errors become `problem` items.
 *
 * Failures are thrown from the iterator as typed errors naming the type and the page: `SourceHttpError`
 * (`source-http`, after retries), `SourceAuthError` (`source-auth`), `SourceInvalidResponseError`
 * (`source-invalid-response`: a page that is not a Bundle, a `next` link that loops, leaves the server's origin
 * (it would carry our credentials elsewhere) or is not a URL), `SourceIncompleteError` (`input-incomplete`: a
 * search that ends before its `total`, repeats or goes back; see `searchProducer`), and AgentError `aborted` when
 * `signal` aborts. A consumer that stops iterating early stops every search in flight.
 *
 * @throws AgentError `config-invalid` at once when `baseUrl` is not an http(s) URL.
 */
export function createFhirServerSource(options: FhirServerSourceOptions): RecordSource {
  const baseUrl = options.baseUrl.replace(/\/+$/, '');
  if (!URL.canParse(baseUrl) || !/^https?:$/.test(new URL(baseUrl).protocol)) {
    throw new AgentError('config-invalid', 'the FHIR server baseUrl must be an http(s) URL');
  }
  return {
    label: `fhir:${redactUrl(baseUrl)}`,
    records: (signal?: AbortSignal, pages?: PageCounter) => readServer(baseUrl, options, signal, pages),
  };
}

async function* readServer(
  baseUrl: string,
  options: FhirServerSourceOptions,
  signal: AbortSignal | undefined,
  pages: PageCounter | undefined,
): AsyncGenerator<SourceItem, void, undefined> {
  throwIfSourceAborted(signal);
  const searches = planSearches({
    resourceTypes: options.resourceTypes ?? FHIR_SEARCH_RESOURCE_TYPES,
    pageSize: options.pageSize ?? FHIR_DEFAULT_PAGE_SIZE,
    useElements: options.useElements ?? false,
    auditEventsSince: options.auditEventsSince,
    encounterEventsSince: options.encounterEventsSince,
  });
  const auth = openAuthSession(options.auth ?? { type: 'none' }, {
    baseUrl,
    proxy: options.proxy,
    logger: options.logger,
  });
  try {
    const reader = new FhirPageReader({
      baseUrl,
      auth,
      timeoutMs: options.timeoutMs ?? FHIR_REQUEST_TIMEOUT_MS,
      retry: { ...DEFAULT_RETRY_POLICY, ...options.retry },
      sleep: options.sleep ?? abortableSleep,
      logger: options.logger,
    });
    const context = {
      baseUrl,
      reader,
      refused: new Set<string>(),
      yieldedIds: new Map<string, Set<string>>(),
      logger: options.logger,
      pages,
    };
    const producers = searches.map((search) => searchProducer(search, context));
    const concurrency = options.concurrency ?? FHIR_DEFAULT_CONCURRENCY;
    try {
      for await (const batch of boundedMerge(producers, {
        concurrency,
        maxBufferedBatches: concurrency,
        signal,
      })) {
        yield* batch;
      }
    } catch (error) {
      if (signal?.aborted === true) throw sourceAbortedError(signal);
      throw error;
    }
    throwIfSourceAborted(signal);
  } finally {
    await auth.close();
  }
}
