// A small read-only FHIR R4 server over a directory of NDJSON files, for tests and the demo. Plain ESM JavaScript
// so that the demo runs it with `node` alone. It is a stand-in for a DUI's FHIR API, not a FHIR server: searches
// support `_count`, `_elements`, `_sort=_lastUpdated`, `_lastUpdated=ge…` on every type and `date=ge…` on
// AuditEvent (`recorded`), Appointment (`start`) and Encounter (`period`), and page with opaque tokens like HAPI's
// `_getpages`, or by `_offset` like Medplum. Dates without a time or offset are compared as UTC, as servers do.
//
// Options reproduce what real servers do to a client (issue 8): a silent `_count` cap, a maximum offset past
// which pages are refused (400), parameters answered with 400 (`rejectParameters`), and a fault: `next` links
// that stop after some pages while `total` says more (`dropNextAfterPages`).
// @ts-check: type-checked as JavaScript with JSDoc (examples/tsconfig.json, `checkJs`).

import { randomUUID } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { field } from '../support/json.mjs';

/** `_count` when the client gives none, and the most a page holds whatever it asks. */
export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 1000;
/** Page tokens kept; the oldest is forgotten beyond (its next request gets 410 Gone, as on real servers). */
const MAX_PAGE_TOKENS = 10_000;
const FHIR_JSON = 'application/fhir+json; charset=utf-8';
const RESOURCE_TYPE = /^[A-Z][A-Za-z]{1,63}$/;

/**
 * A FHIR resource as read from NDJSON: untrusted JSON, whatever its shape.
 * @typedef {{ resourceType: string, id: string, meta?: { lastUpdated?: string, tag?: object[] }, [element: string]: unknown }} Resource
 */
/** @typedef {Map<string, Map<string, Resource>>} Store  resource type → id → resource */
/**
 * One page of a search: what it matched and where it stands.
 * @typedef {{ type: string, matches: Resource[], offset: number, count: number, elements: string[] | undefined, page: number, url: URL }} PageState
 */

/**
 * The element each type's `date` search parameter reads.
 * @type {Readonly<Record<string, (resource: Resource) => [unknown, unknown]>>}
 */
const DATE_OF = {
  AuditEvent: (resource) => [resource.recorded, resource.recorded],
  Appointment: (resource) => [resource.start, resource.end ?? resource.start],
  Encounter: (resource) => [field(resource.period, 'start'), field(resource.period, 'end')],
};

/**
 * Loads every `.ndjson`/`.jsonl` file (gzip too) of `dataDir` and serves it on loopback.
 * Lines without a `resourceType` (a bulk export's log) are skipped.
 *
 * @param {{
 *   dataDir: string, port?: number, host?: string, bearerToken?: string, basePath?: string,
 *   paging?: 'token' | 'offset', maxPageSize?: number, maxOffset?: number,
 *   rejectParameters?: string[], dropNextAfterPages?: number,
 * }} options
 * @returns {Promise<{ url: string, counts: Record<string, number>, requests: string[], close: () => Promise<void> }>}
 */
export async function startFhirServer(options) {
  const { dataDir, port = 0, host = '127.0.0.1', bearerToken, basePath = '/fhir' } = options;
  const {
    paging = 'token',
    maxPageSize = MAX_PAGE_SIZE,
    maxOffset = Number.POSITIVE_INFINITY,
    rejectParameters = [],
    dropNextAfterPages = Number.POSITIVE_INFINITY,
  } = options;
  const store = await loadDirectory(dataDir);
  /** @type {Map<string, PageState>} */
  const pages = new Map();
  /** @type {string[]} Paths and queries served, in order: tests check what the client asked. */
  const requests = [];

  const server = createServer((request, response) => {
    try {
      requests.push(request.url ?? '');
      handle(request, response);
    } catch (error) {
      send(
        response,
        500,
        outcome('error', 'exception', `internal error: ${error instanceof Error ? error.name : 'unknown'}`),
      );
    }
  });

  /**
   * @param {import('node:http').IncomingMessage} request
   * @param {import('node:http').ServerResponse} response
   * @returns {void}
   */
  function handle(request, response) {
    const origin = `http://${request.headers.host}`;
    const url = new URL(request.url ?? '/', origin);
    if (request.method !== 'GET')
      return send(response, 405, outcome('error', 'not-supported', 'this server is read-only'));
    if (!url.pathname.startsWith(basePath))
      return send(response, 404, outcome('error', 'not-found', 'not a FHIR path'));
    const parts = url.pathname
      .slice(basePath.length)
      .split('/')
      .filter((part) => part !== '');
    const base = `${origin}${basePath}`;
    if (parts.length === 1 && parts[0] === 'metadata') return send(response, 200, capabilityStatement(store));
    if (bearerToken !== undefined && request.headers.authorization !== `Bearer ${bearerToken}`) {
      response.setHeader('www-authenticate', 'Bearer');
      return send(response, 401, outcome('error', 'login', 'a valid bearer token is required'));
    }
    if (parts.length === 0 && url.searchParams.has('_getpages')) {
      const state = pages.get(url.searchParams.get('_getpages') ?? '');
      if (state === undefined)
        return send(response, 410, outcome('error', 'not-found', 'unknown or expired page token'));
      return send(response, 200, searchset(state, base));
    }
    const [type, id] = parts;
    if (type === undefined || !RESOURCE_TYPE.test(type) || parts.length > 2) {
      return send(response, 404, outcome('error', 'not-found', 'unknown path'));
    }
    /** @type {Map<string, Resource>} */
    const resources = store.get(type) ?? new Map();
    if (id !== undefined) {
      const resource = resources.get(id);
      if (resource === undefined)
        return send(response, 404, outcome('error', 'not-found', `${type}/${id} is not known`));
      return send(response, 200, resource);
    }
    const rejected = rejectParameters.find((name) => url.searchParams.has(name));
    if (rejected !== undefined) {
      return send(response, 400, outcome('error', 'invalid', `Unknown search parameter: ${rejected}`));
    }
    let matches;
    try {
      matches = search([...resources.values()], type, url.searchParams);
    } catch (error) {
      return send(
        response,
        400,
        outcome('error', 'invalid', error instanceof Error ? error.message : 'invalid search'),
      );
    }
    const requested = Number(url.searchParams.get('_count') ?? DEFAULT_PAGE_SIZE);
    const count =
      Number.isInteger(requested) && requested > 0 ? Math.min(requested, maxPageSize) : DEFAULT_PAGE_SIZE;
    const offset = Number(url.searchParams.get('_offset') ?? 0);
    if (!Number.isInteger(offset) || offset < 0)
      return send(response, 400, outcome('error', 'invalid', '_offset must be a whole number'));
    if (offset > maxOffset)
      return send(response, 400, outcome('error', 'invalid', `Search offset exceeds maximum (${maxOffset})`));
    const elements = url.searchParams
      .get('_elements')
      ?.split(',')
      .filter((element) => element !== '');
    const state = { type, matches, offset, count, elements, page: Math.floor(offset / count) + 1, url };
    return send(response, 200, searchset(state, base));
  }

  /**
   * @param {PageState} state
   * @param {string} base
   */
  function searchset(state, base) {
    const { type, matches, offset, count, elements, page } = state;
    const slice = matches.slice(offset, offset + count);
    const link = [];
    if (offset + count < matches.length && page < dropNextAfterPages) {
      if (paging === 'offset') {
        const next = new URL(state.url);
        next.searchParams.set('_offset', String(offset + count));
        next.searchParams.set('_count', String(count));
        link.push({ relation: 'next', url: `${base}/${type}?${next.searchParams.toString()}` });
      } else {
        const token = randomUUID();
        pages.set(token, { ...state, offset: offset + count, page: page + 1 });
        const oldest = pages.keys().next().value;
        if (pages.size > MAX_PAGE_TOKENS && oldest !== undefined) pages.delete(oldest);
        link.push({ relation: 'next', url: `${base}?_getpages=${token}` });
      }
    }
    return {
      resourceType: 'Bundle',
      type: 'searchset',
      total: matches.length,
      link,
      entry: slice.map((resource) => ({
        fullUrl: `${base}/${type}/${resource.id}`,
        resource: elements === undefined ? resource : project(resource, elements),
        search: { mode: 'match' },
      })),
    };
  }

  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve(undefined));
  });
  const address = server.address();
  const counts = Object.fromEntries([...store].map(([type, resources]) => [type, resources.size]));
  return {
    url: `http://${host}:${typeof address === 'object' && address !== null ? address.port : port}${basePath}`,
    counts,
    requests,
    close: () =>
      new Promise((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve(undefined)));
      }),
  };
}

/**
 * @param {Resource[]} resources
 * @param {string} type
 * @param {URLSearchParams} params
 * @returns {Resource[]}
 */
function search(resources, type, params) {
  let matches = resources;
  for (const [name, value] of params) {
    if (name === '_lastUpdated') {
      const since = lowerBound(name, value);
      matches = matches.filter((resource) => instantOf(resource.meta?.lastUpdated) >= since);
    } else if (name === 'date') {
      const dateOf = DATE_OF[type];
      if (dateOf === undefined) throw new Error(`date is not a search parameter of ${type} here`);
      const since = lowerBound(name, value);
      // A range matches `ge` when it ends at or after the bound (an open end always does).
      matches = matches.filter((resource) => {
        const [start, end] = dateOf(resource);
        if (start === undefined && end === undefined) return false;
        return end === undefined || instantOf(end) >= since;
      });
    }
    // Other parameters (_count, _elements, _format…) are not filters; unknown ones are ignored, as lenient
    // servers do.
  }
  const sort = params.get('_sort');
  if (sort === '_lastUpdated') {
    // Stable: ties keep the store's order.
    matches = [...matches].sort(
      (a, b) => (instantOf(a.meta?.lastUpdated) || 0) - (instantOf(b.meta?.lastUpdated) || 0),
    );
  } else if (sort !== null) {
    throw new Error(`_sort: only _lastUpdated is supported here`);
  }
  return matches;
}

/**
 * @param {string} name
 * @param {string} value
 */
function lowerBound(name, value) {
  if (!value.startsWith('ge')) throw new Error(`${name}: only the ge prefix is supported here`);
  const instant = instantOf(value.slice(2));
  if (Number.isNaN(instant)) throw new Error(`${name}: not a FHIR date`);
  return instant;
}

/** @param {unknown} value */
function instantOf(value) {
  return typeof value === 'string' ? Date.parse(value) : Number.NaN;
}

/**
 * @param {Resource} resource
 * @param {string[]} elements
 * @returns {Resource}
 */
function project(resource, elements) {
  /** @type {Resource} */
  const kept = { resourceType: resource.resourceType, id: resource.id };
  for (const element of elements) if (element in resource) kept[element] = resource[element];
  kept.meta = {
    ...resource.meta,
    tag: [
      ...(resource.meta?.tag ?? []),
      { system: 'http://terminology.hl7.org/CodeSystem/v3-ObservationValue', code: 'SUBSETTED' },
    ],
  };
  return kept;
}

/**
 * @param {string} dataDir
 * @returns {Promise<Store>}
 */
async function loadDirectory(dataDir) {
  /** @type {Store} */
  const store = new Map();
  const names = (await readdir(dataDir)).filter((name) => /\.(ndjson|jsonl)(\.gz)?$/i.test(name)).sort();
  for (const name of names) {
    const bytes = await readFile(path.join(dataDir, name));
    const text = (name.toLowerCase().endsWith('.gz') ? gunzipSync(bytes) : bytes)
      .toString('utf8')
      .replace(/^\uFEFF/, '');
    for (const [index, line] of text.split('\n').entries()) {
      if (line.trim() === '') continue;
      /** @type {unknown} */
      let parsed;
      try {
        parsed = JSON.parse(line);
      } catch {
        throw new Error(`${name}:${index + 1}: invalid JSON`);
      }
      const type = field(parsed, 'resourceType');
      const id = field(parsed, 'id');
      if (typeof type !== 'string' || typeof id !== 'string') continue;
      /** @type {Map<string, Resource>} */
      const ofType = store.get(type) ?? new Map();
      store.set(type, ofType);
      ofType.set(id, /** @type {Resource} */ (parsed));
    }
  }
  return store;
}

/** @param {Store} store */
function capabilityStatement(store) {
  return {
    resourceType: 'CapabilityStatement',
    status: 'active',
    date: '2024-01-01',
    kind: 'instance',
    fhirVersion: '4.0.1',
    format: ['json'],
    rest: [
      {
        mode: 'server',
        resource: [...store.keys()].sort().map((type) => ({
          type,
          interaction: [{ code: 'read' }, { code: 'search-type' }],
          searchParam: [
            { name: '_lastUpdated', type: 'date' },
            ...(DATE_OF[type] === undefined ? [] : [{ name: 'date', type: 'date' }]),
          ],
        })),
      },
    ],
  };
}

/**
 * @param {'error'} severity
 * @param {string} code
 * @param {string} diagnostics
 */
function outcome(severity, code, diagnostics) {
  return { resourceType: 'OperationOutcome', issue: [{ severity, code, diagnostics }] };
}

/**
 * @param {import('node:http').ServerResponse} response
 * @param {number} status
 * @param {unknown} body
 * @returns {void}
 */
function send(response, status, body) {
  response.writeHead(status, { 'content-type': FHIR_JSON });
  response.end(JSON.stringify(body));
}
