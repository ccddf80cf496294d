import { AgentError } from '../errors.js';
import { boundedMerge } from './bounded-merge.js';
import type { Producer } from './bounded-merge.js';
import { openAuthSession } from './fhir-auth.js';
import type { FhirServerAuth } from './fhir-auth.js';
import { FhirPageReader } from './fhir-page-reader.js';
import type { SearchPage } from './fhir-page-reader.js';
import { DEFAULT_RETRY_POLICY, FHIR_REQUEST_TIMEOUT_MS, sleep as defaultSleep } from './fhir-retry.js';
import type { RetryPolicy, Sleep } from './fhir-retry.js';
import { FHIR_DEFAULT_PAGE_SIZE, FHIR_SEARCH_RESOURCE_TYPES, planSearches } from './fhir-search-plan.js';
import type { PlannedSearch } from './fhir-search-plan.js';
import { summariseOperationOutcome } from './operation-outcome-summary.js';
import { redactUrl } from './redact-url.js';
import { sourceAbortedError, throwIfSourceAborted } from './source-aborted.js';
import { SourceInvalidResponseError } from './source-invalid-response-error.js';
import type { RecordSource, SourceItem } from './source.js';

/** Searches run at once (one request in flight each): polite to a DUI's server, and enough to hide latency. */
export const FHIR_DEFAULT_CONCURRENCY = 4;

export interface FhirServerSourceOptions {
  /** The FHIR R4 base URL (`https://dui.example/fhir`). */
  baseUrl: string;
  /** Default `{ type: 'none' }`. */
  auth?: FhirServerAuth | undefined;
  /** `_count` of each search; default 500. */
  pageSize?: number | undefined;
  /** At most this many requests in flight; default 4. */
  concurrency?: number | undefined;
  /** Per request, retries included separately; default `FHIR_REQUEST_TIMEOUT_MS`. */
  timeoutMs?: number | undefined;
  /** Default `FHIR_SEARCH_RESOURCE_TYPES`. */
  resourceTypes?: readonly string[] | undefined;
  /** Lower bound (FHIR date or instant) of AuditEvent `date`; see `planSearches` for why only these two types. */
  auditEventsSince?: string | undefined;
  /** Lower bound of Appointment `date` and `_lastUpdated`; see `planSearches`. */
  encounterEventsSince?: string | undefined;
  /** Ask for the elements of `FHIR_SEARCH_ELEMENTS` only; off by default (see there why). */
  useElements?: boolean | undefined;
  retry?: Partial<RetryPolicy> | undefined;
  /** Replaces the retry wait (tests record the delays instead of waiting them). */
  sleep?: Sleep | undefined;
}

/**
 * A record source that reads a DUI's FHIR R4 server: one search per resource type the rules need, each followed
 * through its `next` links to the last page, at most `concurrency` requests in flight. Resources are yielded page by
 * page as they arrive (memory holds a few pages, never a whole type). Entries the server marks as
 * `search.mode = outcome` are not records: their warnings and errors become `problem` items.
 *
 * Failures are thrown from the iterator as typed errors naming the type and the page: `SourceHttpError`
 * (`source-http`, after retries), `SourceAuthError` (`source-auth`), `SourceInvalidResponseError`
 * (`source-invalid-response`: a page that is not a Bundle, a `next` link that loops, leaves the server's origin
 * (it would carry our credentials elsewhere) or is not a URL), and AgentError `aborted` when `signal` aborts.
 * A consumer that stops iterating early stops every search in flight.
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
    records: (signal?: AbortSignal) => readServer(baseUrl, options, signal),
  };
}

async function* readServer(
  baseUrl: string,
  options: FhirServerSourceOptions,
  signal: AbortSignal | undefined,
): AsyncGenerator<SourceItem, void, undefined> {
  throwIfSourceAborted(signal);
  const searches = planSearches({
    resourceTypes: options.resourceTypes ?? FHIR_SEARCH_RESOURCE_TYPES,
    pageSize: options.pageSize ?? FHIR_DEFAULT_PAGE_SIZE,
    useElements: options.useElements ?? false,
    auditEventsSince: options.auditEventsSince,
    encounterEventsSince: options.encounterEventsSince,
  });
  const auth = openAuthSession(options.auth ?? { type: 'none' });
  try {
    const reader = new FhirPageReader({
      baseUrl,
      auth,
      timeoutMs: options.timeoutMs ?? FHIR_REQUEST_TIMEOUT_MS,
      retry: { ...DEFAULT_RETRY_POLICY, ...options.retry },
      sleep: options.sleep ?? defaultSleep,
    });
    const seenIds = new Map<string, Set<string>>();
    const producers = searches.map((search) => searchProducer(baseUrl, reader, search, seenIds));
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

/** Walks one search to its last page, emitting each page's items. */
function searchProducer(
  baseUrl: string,
  reader: FhirPageReader,
  search: PlannedSearch,
  seenIds: Map<string, Set<string>>,
): Producer<SourceItem[]> {
  return async (emit, signal) => {
    const seen = search.dedupeKey === undefined ? undefined : getOrCreate(seenIds, search.dedupeKey);
    const visited = new Map<string, number>();
    let url: string | undefined = new URL(
      `${baseUrl}/${search.resourceType}?${new URLSearchParams(search.params).toString()}`,
    ).href;
    for (let page = 1; url !== undefined; page += 1) {
      visited.set(url, page);
      const bundle = await reader.read(url, search.resourceType, page, signal);
      const items = itemsOf(bundle, url, seen);
      if (items.length > 0) await emit(items);
      url = nextUrlOf(
        bundle,
        baseUrl,
        { resourceType: search.resourceType, page, url: redactUrl(url) },
        visited,
      );
    }
  };
}

function itemsOf(bundle: SearchPage, pageUrl: string, seen: Set<string> | undefined): SourceItem[] {
  const items: SourceItem[] = [];
  for (const raw of bundle.entry ?? []) {
    const entry = (typeof raw === 'object' && raw !== null ? raw : {}) as {
      resource?: unknown;
      search?: { mode?: unknown };
    };
    if (entry.resource === undefined) continue;
    if (entry.search?.mode === 'outcome') {
      const summary = summariseOperationOutcome(entry.resource);
      if (summary !== undefined && !/^information\b/.test(summary)) {
        items.push({
          kind: 'problem',
          problem: { location: redactUrl(pageUrl), reason: `the server reports: ${summary}` },
        });
      }
      continue;
    }
    if (seen !== undefined) {
      const id = (entry.resource as { id?: unknown }).id;
      if (typeof id === 'string') {
        if (seen.has(id)) continue;
        seen.add(id);
      }
    }
    items.push({ kind: 'record', value: entry.resource });
  }
  return items;
}

/**
 * The absolute URL of the next page, or undefined on the last page. A link that was already visited would loop
 * forever; one on another origin would receive our credentials: both are refused, as a link that is not a URL.
 */
function nextUrlOf(
  bundle: SearchPage,
  baseUrl: string,
  context: { resourceType: string; page: number; url: string },
  visited: ReadonlyMap<string, number>,
): string | undefined {
  const link = bundle.link?.find((candidate) => candidate.relation === 'next')?.url;
  if (link === undefined) return undefined;
  if (typeof link !== 'string' || link === '')
    throw new SourceInvalidResponseError(context, 'the next link has no URL');
  let next: URL;
  try {
    next = new URL(link, `${baseUrl}/`);
  } catch (error) {
    throw new SourceInvalidResponseError(context, 'the next link is not a URL', { cause: error });
  }
  if (next.origin !== new URL(baseUrl).origin) {
    throw new SourceInvalidResponseError(
      context,
      `the next link leaves the server (${next.origin}): not followed`,
    );
  }
  const loopsTo = visited.get(next.href);
  if (loopsTo !== undefined) {
    throw new SourceInvalidResponseError(
      context,
      `the next link points back to page ${loopsTo}: paging stopped`,
    );
  }
  return next.href;
}

function getOrCreate(map: Map<string, Set<string>>, key: string): Set<string> {
  let value = map.get(key);
  if (value === undefined) {
    value = new Set();
    map.set(key, value);
  }
  return value;
}
