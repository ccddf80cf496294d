import type { HttpLogger } from '../http/http-logger.js';
import type { PageCounter } from '../progress/progress-observer.js';
import { redactUrl } from '../http/redact-url.js';
import type { Producer } from './bounded-merge.js';
import type { FhirPageReader, SearchPage } from './fhir-page-reader.js';
import { OPTIONAL_SEARCH_PARAMETERS, type PlannedSearch } from './fhir-search-plan.js';
import { summariseOperationOutcome } from '../http/operation-outcome-summary.js';
import { isSourceHttpError, type SourceHttpError } from './source-http-error.js';
import { SourceIncompleteError, type IncompleteReason } from './source-incomplete-error.js';
import { SourceInvalidResponseError } from './source-invalid-response-error.js';
import type { SourceItem } from './source.js';

/** What the searches of one run share. */
export interface SearchWalkContext {
  baseUrl: string;
  reader: FhirPageReader;
  /** Optional parameters a server refused in this run: not sent again, and each is logged once. */
  refused: Set<string>;
  /** Ids already yielded per `dedupeKey` (searches that may return the same records). */
  yieldedIds: Map<string, Set<string>>;
  logger?: HttpLogger | undefined;
  /** Told of each page read (the progress display). */
  pages?: PageCounter | undefined;
}

/** Query parameters that say how far into the results a page starts, by server family. */
const OFFSET_PARAMETERS = ['_offset', '_getpagesoffset', 'page', '_page', 'offset'] as const;

/** How one phase of a search is paged. */
type Phase =
  /** The planned search, followed through its `next` links. */
  | 'plain'
  /** The same search sorted by `_lastUpdated`, read again after the server stopped paging the plain one. */
  | 'sorted'
  /** Sorted, from the latest `meta.lastUpdated` read (keyset paging): never a deep offset. */
  | 'keyset';

/** Per search: what was read, to check it is whole. */
interface SearchState {
  /** `Type/id` of every record read by this search. */
  readonly seen: Set<string>;
  /** Entries without an id (they still count against `total`). */
  withoutId: number;
  /** `Bundle.total` of the first page, when the server gave it. */
  total: number | undefined;
  pages: number;
  /** The latest `meta.lastUpdated` read, for keyset paging. */
  latestUpdatedMs: number | undefined;
}

/** Thrown inside a phase when the server refuses a page after the first: the next phase may get past it. */
class PagingRefused extends Error {
  readonly error: SourceHttpError;
  constructor(error: SourceHttpError) {
    super(error.message);
    this.error = error;
  }
}

/**
 * Walks one search to its end, emitting each page's items, and refuses to end quietly on a partial read:
 *
 * - a last page (no `next`) before the `total` of the first page, a page that repeats records already read, or a
 *   `next` link whose offset goes back, fail with `SourceIncompleteError` (`input-incomplete`);
 * - a server that stops paging after some offset (HTTP 4xx on a later page: Medplum's offset cap, HAPI's
 *   expired `_getpages`) is read again sorted by `_lastUpdated`, then on from the latest `meta.lastUpdated`
 *   read (`_lastUpdated=ge…`), skipping what was read, until the end; when that cannot advance, the search fails
 *   with `offset-limit`;
 * - a server that answers 400 to an optional parameter (`OPTIONAL_SEARCH_PARAMETERS`) is asked again without it,
 *   which only reads more; each such parameter is logged once per run and not sent again.
 */
export function searchProducer(search: PlannedSearch, context: SearchWalkContext): Producer<SourceItem[]> {
  return async (emit, signal) => {
    const yielded =
      search.dedupeKey === undefined ? undefined : getOrCreate(context.yieldedIds, search.dedupeKey);
    const state: SearchState = {
      seen: new Set(),
      withoutId: 0,
      total: undefined,
      pages: 0,
      latestUpdatedMs: undefined,
    };
    const { resourceType } = search;
    const incomplete = (reason: IncompleteReason, detail: string, cause?: unknown): SourceIncompleteError =>
      new SourceIncompleteError(
        {
          input: `${resourceType} search`,
          reason,
          detail,
          read: { pages: state.pages, records: state.seen.size + state.withoutId, total: state.total },
        },
        { resourceType, ...(cause === undefined ? {} : { cause }) },
      );

    /** One phase: from its first page to its last, or to a `PagingRefused`. */
    const walk = async (initial: Record<string, string>, phase: Phase): Promise<void> => {
      let params = initial;
      let url: string | undefined = searchUrl(context.baseUrl, resourceType, params);
      let phasePage = 0;
      const visited = new Map<string, number>();
      while (url !== undefined) {
        phasePage += 1;
        const page = state.pages + 1;
        let bundle: SearchPage;
        try {
          bundle = await context.reader.read(url, resourceType, page, signal);
        } catch (error) {
          if (phasePage === 1 && isSourceHttpError(error) && error.status === 400) {
            const dropped = refusedParameter(params, error, phase);
            if (dropped !== undefined) {
              refuse(context, dropped, resourceType, error);
              params = without(params, [dropped]);
              url = searchUrl(context.baseUrl, resourceType, params);
              phasePage = 0;
              continue;
            }
          }
          if (phasePage > 1 && isSourceHttpError(error) && isPagingRefusal(error.status)) {
            throw new PagingRefused(error);
          }
          throw error;
        }
        state.pages = page;
        visited.set(url, page);
        const pageContext = { resourceType, page, url: redactUrl(url) };
        if (phase === 'plain' && phasePage === 1 && typeof bundle.total === 'number' && bundle.total >= 0) {
          state.total ??= bundle.total;
        }
        const { items, repeated } = itemsOf(bundle, url, state, phase, yielded);
        if (repeated > 0) {
          throw incomplete(
            'page-repeats',
            `page ${page} repeats ${repeated} record(s) an earlier page gave: the server's paging is not stable`,
          );
        }
        context.pages?.pageRead(resourceType);
        // The HTTP exchange itself is logged by the page reader; this says what the page held.
        context.logger?.debug(
          {
            resourceType,
            page,
            phase,
            entries: items.length,
            ...(state.total === undefined ? {} : { total: state.total }),
          },
          'page read',
        );
        if (items.length > 0) await emit(items);
        const next = nextUrlOf(bundle, context.baseUrl, pageContext, visited);
        if (next !== undefined && goesBackwards(url, next, phasePage)) {
          throw incomplete(
            'page-goes-backwards',
            `the next link of page ${page} goes back (${redactUrl(next)})`,
          );
        }
        url = next;
      }
    };

    let phase: Phase = 'plain';
    let params = without(search.params, context.refused);
    let firstRefusal: SourceHttpError | undefined;
    let keysetFromMs: number | undefined;
    let restarts = 0;
    for (;;) {
      try {
        await walk(params, phase);
        break;
      } catch (error) {
        if (!(error instanceof PagingRefused)) {
          if (phase === 'plain' || firstRefusal === undefined) throw error;
          throw incomplete(
            'offset-limit',
            `the server stopped paging (${firstRefusal.message}) and refused to page by _lastUpdated past it`,
            error,
          );
        }
        firstRefusal ??= error.error;
        if (phase === 'plain') {
          phase = 'sorted';
          params = { ...params, _sort: '_lastUpdated' };
          // Only what a sorted phase read says where keyset paging may go on from.
          state.latestUpdatedMs = undefined;
        } else {
          const latest = state.latestUpdatedMs;
          if (latest === undefined || (keysetFromMs !== undefined && latest <= keysetFromMs)) {
            throw incomplete(
              'offset-limit',
              `the server stops paging (${firstRefusal.message}), and more records share one meta.lastUpdated than it pages`,
              firstRefusal,
            );
          }
          keysetFromMs = latest;
          phase = 'keyset';
          params = { ...params, _sort: '_lastUpdated', _lastUpdated: `ge${new Date(latest).toISOString()}` };
        }
        // Said once per search and phase (follow-up F10): a server capping offsets makes the keyset phase
        // start again every few pages, which is the plan working, not news; the restarts go to debug.
        restarts += phase === 'keyset' ? 1 : 0;
        const said = phase === 'keyset' && restarts > 1;
        context.logger?.[said ? 'debug' : 'warn'](
          {
            resourceType,
            pages: state.pages,
            status: error.error.status,
            phase,
            ...(said ? { restarts } : {}),
          },
          phase === 'sorted'
            ? 'the FHIR server stops paging this search; reading it again sorted by _lastUpdated'
            : 'the FHIR server stops paging this search; going on from the latest _lastUpdated read',
        );
      }
    }
    const records = state.seen.size + state.withoutId;
    if (state.total !== undefined && records < state.total) {
      throw incomplete(
        'ended-before-total',
        `the last page (no next link) came before the total the server announced`,
      );
    }
  };
}

/** A later page refused outright (not rate limiting, not credentials): an offset cap or an expired page token. */
function isPagingRefusal(status: number | undefined): boolean {
  return status !== undefined && status >= 400 && status < 500 && ![401, 403, 408, 425, 429].includes(status);
}

/**
 * The optional parameter to give up after a 400 on a first page: the one the server's OperationOutcome names,
 * else the first present in `OPTIONAL_SEARCH_PARAMETERS` order.
 */
function refusedParameter(
  params: Record<string, string>,
  error: SourceHttpError,
  phase: Phase,
): string | undefined {
  // A sorted or keyset phase needs its parameters: a refusal there ends the read (see the caller).
  if (phase !== 'plain') return undefined;
  const candidates = OPTIONAL_SEARCH_PARAMETERS.filter((name) => name in params);
  const named = candidates.find((name) =>
    new RegExp(`(^|[^\\w])${name.replace(/^_/, '_?')}([^\\w]|$)`).test(error.outcome ?? ''),
  );
  return named ?? candidates[0];
}

function refuse(
  context: SearchWalkContext,
  parameter: string,
  resourceType: string,
  error: SourceHttpError,
): void {
  if (context.refused.has(parameter)) return;
  context.refused.add(parameter);
  context.logger?.warn(
    {
      parameter,
      resourceType,
      status: error.status,
      ...(error.outcome === undefined ? {} : { outcome: error.outcome }),
    },
    `the FHIR server refuses ${parameter}; reading without it (same records, only more of them)`,
  );
}

function itemsOf(
  bundle: SearchPage,
  pageUrl: string,
  state: SearchState,
  phase: Phase,
  yielded: Set<string> | undefined,
): { items: SourceItem[]; repeated: number } {
  const items: SourceItem[] = [];
  let repeated = 0;
  for (const raw of bundle.entry ?? []) {
    const entry = (typeof raw === 'object' && raw !== null ? raw : {}) as {
      resource?: unknown;
      search?: { mode?: unknown };
    };
    if (entry.resource === undefined) continue;
    const mode = entry.search?.mode;
    if (mode === 'outcome') {
      const summary = summariseOperationOutcome(entry.resource);
      if (summary !== undefined && !/^information\b/.test(summary)) {
        items.push({
          kind: 'problem',
          problem: { location: redactUrl(pageUrl), reason: `the server reports: ${summary}` },
        });
      }
      continue;
    }
    const resource = entry.resource as {
      resourceType?: unknown;
      id?: unknown;
      meta?: { lastUpdated?: unknown };
    };
    if (mode !== 'include') {
      const updatedMs =
        typeof resource.meta?.lastUpdated === 'string' ? Date.parse(resource.meta.lastUpdated) : Number.NaN;
      if (
        phase !== 'plain' &&
        !Number.isNaN(updatedMs) &&
        (state.latestUpdatedMs === undefined || updatedMs > state.latestUpdatedMs)
      ) {
        state.latestUpdatedMs = updatedMs;
      }
      if (typeof resource.id === 'string') {
        const key = `${String(resource.resourceType)}/${resource.id}`;
        if (state.seen.has(key)) {
          // A sorted or keyset phase reads again what the plain one read: expected, skipped.
          if (phase === 'plain') repeated += 1;
          continue;
        }
        state.seen.add(key);
      } else if (phase === 'plain') {
        state.withoutId += 1;
      }
    }
    if (yielded !== undefined && typeof resource.id === 'string') {
      if (yielded.has(resource.id)) continue;
      yielded.add(resource.id);
    }
    items.push({ kind: 'record', value: entry.resource });
  }
  return { items, repeated };
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

/** Whether `next` starts at or before `current` (a first page without an offset starts at 0). */
function goesBackwards(current: string, next: string, phasePage: number): boolean {
  const nextOffset = offsetOf(next);
  if (nextOffset === undefined) return false;
  const currentOffset = offsetOf(current) ?? (phasePage === 1 ? 0 : undefined);
  return currentOffset !== undefined && nextOffset <= currentOffset;
}

function offsetOf(url: string): number | undefined {
  const params = new URL(url).searchParams;
  for (const name of OFFSET_PARAMETERS) {
    const value = params.get(name);
    if (value !== null && /^\d+$/.test(value)) return Number(value);
  }
  return undefined;
}

function searchUrl(baseUrl: string, resourceType: string, params: Record<string, string>): string {
  return new URL(`${baseUrl}/${resourceType}?${new URLSearchParams(params).toString()}`).href;
}

function without(params: Record<string, string>, names: Iterable<string>): Record<string, string> {
  const dropped = new Set(names);
  return Object.fromEntries(Object.entries(params).filter(([name]) => !dropped.has(name)));
}

function getOrCreate(map: Map<string, Set<string>>, key: string): Set<string> {
  let value = map.get(key);
  if (value === undefined) {
    value = new Set();
    map.set(key, value);
  }
  return value;
}
