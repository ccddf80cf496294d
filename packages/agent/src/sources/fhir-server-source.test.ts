// HTTP faults a real server will not produce on demand, injected with msw (the loopback test reads a real server).
import { http, HttpResponse } from 'msw';
import type { JsonBodyType } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { isAgentError } from '../errors.js';
import { createFhirServerSource } from './fhir-server-source.js';
import type { FhirServerSourceOptions } from './fhir-server-source.js';
import { FHIR_SEARCH_ELEMENTS, FHIR_SEARCH_RESOURCE_TYPES } from './fhir-search-plan.js';
import { isSourceAuthError } from './source-auth-error.js';
import { isSourceHttpError } from './source-http-error.js';
import { isSourceIncompleteError } from './source-incomplete-error.js';
import { isSourceInvalidResponseError } from './source-invalid-response-error.js';
import type { SourceItem } from './source.js';

const BASE = 'http://dui.test/fhir';
const TOKEN_URL = 'http://auth.dui.test/token';
const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

function bundle(type: string, ids: string[], next?: string): JsonBodyType {
  return {
    resourceType: 'Bundle',
    type: 'searchset',
    link: next === undefined ? [] : [{ relation: 'next', url: next }],
    entry: ids.map((id) => ({
      fullUrl: `${BASE}/${type}/${id}`,
      resource: { resourceType: type, id },
      search: { mode: 'match' },
    })),
  };
}

const emptyBundle = (): HttpResponse<JsonBodyType> => HttpResponse.json(bundle('X', []));

/** Every search but `types` answers an empty page. */
function emptyOtherTypes(...types: string[]): ReturnType<typeof http.get>[] {
  return FHIR_SEARCH_RESOURCE_TYPES.filter((type) => !types.includes(type)).map((type) =>
    http.get(`${BASE}/${type}`, emptyBundle),
  );
}

/** Answers `?_getpages=<token>` pages from a table. */
function pagesHandler(pages: Record<string, () => Response>): ReturnType<typeof http.get> {
  return http.get(BASE, ({ request }) => {
    const token = new URL(request.url).searchParams.get('_getpages') ?? '';
    const page = pages[token];
    return page === undefined
      ? HttpResponse.json({ resourceType: 'OperationOutcome', issue: [] }, { status: 410 })
      : page();
  });
}

interface Run {
  items: SourceItem[];
  error: unknown;
  delays: number[];
}

async function run(options: Partial<FhirServerSourceOptions> = {}, signal?: AbortSignal): Promise<Run> {
  const delays: number[] = [];
  const source = createFhirServerSource({
    baseUrl: BASE,
    sleep: (ms) => {
      delays.push(ms);
      return Promise.resolve();
    },
    ...options,
  });
  const items: SourceItem[] = [];
  let error: unknown;
  try {
    for await (const item of source.records(signal)) items.push(item);
  } catch (caught) {
    error = caught;
  }
  return { items, error, delays };
}

const ids = (items: SourceItem[]): string[] =>
  items.flatMap((item) =>
    item.kind === 'record'
      ? [`${(item.value as { resourceType: string }).resourceType}/${(item.value as { id: string }).id}`]
      : [],
  );

describe('createFhirServerSource over HTTP faults', () => {
  it('follows next links to the last page, asking _count, for every type the rules need', async () => {
    const asked: string[] = [];
    server.use(
      http.get(`${BASE}/Patient`, ({ request }) => {
        asked.push(new URL(request.url).search);
        return HttpResponse.json(bundle('Patient', ['p1', 'p2'], `${BASE}?_getpages=two`));
      }),
      pagesHandler({
        two: () => HttpResponse.json(bundle('Patient', ['p3', 'p4'], `${BASE}?_getpages=three`)),
        three: () => HttpResponse.json(bundle('Patient', ['p5'])),
      }),
      http.get(`${BASE}/Organization`, () => HttpResponse.json(bundle('Organization', ['o1']))),
      ...emptyOtherTypes('Patient', 'Organization'),
    );
    const { items, error } = await run({ pageSize: 2 });
    expect(error).toBeUndefined();
    expect(ids(items).sort()).toEqual([
      'Organization/o1',
      'Patient/p1',
      'Patient/p2',
      'Patient/p3',
      'Patient/p4',
      'Patient/p5',
    ]);
    expect(asked).toEqual(['?_count=2&_total=accurate']);
  });

  it('stops a next link that loops back, naming the type and the page', async () => {
    server.use(
      http.get(`${BASE}/Patient`, () =>
        HttpResponse.json(bundle('Patient', ['p1'], `${BASE}?_getpages=two`)),
      ),
      pagesHandler({ two: () => HttpResponse.json(bundle('Patient', ['p2'], `${BASE}?_getpages=two`)) }),
    );
    const { items, error } = await run({ resourceTypes: ['Patient'] });
    expect(ids(items)).toEqual(['Patient/p1', 'Patient/p2']);
    expect(isSourceInvalidResponseError(error) && error.resourceType === 'Patient' && error.page === 2).toBe(
      true,
    );
    expect((error as Error).message).toContain('points back to page 2');
  });

  it('turns a broken next link (404) into a typed error naming the type and the page, after the pages before it', async () => {
    server.use(
      http.get(`${BASE}/Encounter`, () =>
        HttpResponse.json(bundle('Encounter', ['e1'], `${BASE}?_getpages=two`)),
      ),
      pagesHandler({
        two: () =>
          HttpResponse.json(
            bundle('Encounter', ['e2'], `${BASE}?_getpages=gone&identifier=INS-1234567890123`),
          ),
      }),
    );
    const { items, error, delays } = await run({ resourceTypes: ['Encounter'] });
    expect(ids(items)).toEqual(['Encounter/e1', 'Encounter/e2']);
    // The search is read again sorted by _lastUpdated, which these records (no meta.lastUpdated) cannot page:
    // the read is incomplete, and says which page the server refused.
    expect(isSourceIncompleteError(error) && error.reason).toBe('offset-limit');
    const refused = (error as Error).cause;
    expect(
      isSourceHttpError(refused) &&
        refused.status === 410 &&
        refused.resourceType === 'Encounter' &&
        refused.page === 3,
    ).toBe(true);
    expect(isAgentError(error) && error.code).toBe('input-incomplete');
    // The URL is shown, its query values are not.
    expect((error as Error).message).toContain(`Encounter page 3 (${BASE}?_getpages=…&identifier=…)`);
    expect((error as Error).message).not.toContain('INS-1234567890123');
    expect(delays).toEqual([]);

    server.use(
      http.get(`${BASE}/Encounter`, () =>
        HttpResponse.json(bundle('Encounter', ['e1'], `${BASE}/Encounter/_page/2`)),
      ),
      http.get(`${BASE}/Encounter/_page/2`, () =>
        HttpResponse.json(
          { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'not-found' }] },
          { status: 404 },
        ),
      ),
    );
    const notFound = await run({ resourceTypes: ['Encounter'] });
    const notFoundCause = (notFound.error as Error).cause;
    expect(isSourceHttpError(notFoundCause) && notFoundCause.status === 404 && notFoundCause.page === 2).toBe(
      true,
    );
    expect((notFoundCause as Error).message).toBe(
      `Encounter page 2 (${BASE}/Encounter/_page/2): HTTP 404 (OperationOutcome: error not-found)`,
    );
    expect(notFound.delays).toEqual([]);
  });

  it('waits as long as Retry-After says after a 429, then goes on', async () => {
    let calls = 0;
    server.use(
      http.get(`${BASE}/Patient`, () => {
        calls += 1;
        return calls === 1
          ? HttpResponse.json(
              { resourceType: 'OperationOutcome', issue: [] },
              { status: 429, headers: { 'retry-after': '7' } },
            )
          : HttpResponse.json(bundle('Patient', ['p1']));
      }),
    );
    const { items, error, delays } = await run({ resourceTypes: ['Patient'] });
    expect(error).toBeUndefined();
    expect(ids(items)).toEqual(['Patient/p1']);
    expect(delays).toEqual([7000]);
  });

  it('retries a burst of 500s and network errors with growing backoff, and gives up after maxAttempts', async () => {
    let calls = 0;
    server.use(
      http.get(`${BASE}/Patient`, () => {
        calls += 1;
        if (calls === 2) return HttpResponse.error();
        return calls <= 3
          ? new HttpResponse('oops', { status: 500 })
          : HttpResponse.json(bundle('Patient', ['p1']));
      }),
    );
    const retry = { baseDelayMs: 100, maxDelayMs: 1000, maxAttempts: 4 };
    const recovered = await run({ resourceTypes: ['Patient'], retry });
    expect(recovered.error).toBeUndefined();
    expect(ids(recovered.items)).toEqual(['Patient/p1']);
    expect(recovered.delays).toHaveLength(3);
    recovered.delays.forEach((delay, index) => {
      const exponential = 100 * 2 ** index;
      expect(delay).toBeGreaterThanOrEqual(exponential / 2);
      expect(delay).toBeLessThanOrEqual(exponential);
    });

    server.use(http.get(`${BASE}/Patient`, () => new HttpResponse('still down', { status: 503 })));
    const gaveUp = await run({ resourceTypes: ['Patient'], retry });
    expect(isSourceHttpError(gaveUp.error) && gaveUp.error.status === 503 && gaveUp.error.page === 1).toBe(
      true,
    );
    expect(gaveUp.delays).toHaveLength(3);
  });

  it('sends the bearer token and reports a 401 as SourceAuthError without retrying', async () => {
    const seen: Array<string | null> = [];
    server.use(
      http.get(`${BASE}/Patient`, ({ request }) => {
        seen.push(request.headers.get('authorization'));
        return HttpResponse.json(
          {
            resourceType: 'OperationOutcome',
            issue: [{ severity: 'error', code: 'login', diagnostics: 'token expired' }],
          },
          { status: 401 },
        );
      }),
    );
    const { error, delays } = await run({
      resourceTypes: ['Patient'],
      auth: { type: 'bearer', token: 'secret-token-1' },
    });
    expect(isSourceAuthError(error) && error.status === 401 && error.code === 'source-auth').toBe(true);
    expect((error as Error).message).toContain('token expired');
    expect((error as Error).message).not.toContain('secret-token-1');
    expect(seen).toEqual(['Bearer secret-token-1']);
    expect(delays).toEqual([]);
  });

  it('reports a page that is not JSON, or not a Bundle, as SourceInvalidResponseError', async () => {
    server.use(
      http.get(`${BASE}/Patient`, () =>
        HttpResponse.json(bundle('Patient', ['p1'], `${BASE}?_getpages=two`)),
      ),
      pagesHandler({
        two: () =>
          new HttpResponse('<html>proxy login</html>', {
            status: 200,
            headers: { 'content-type': 'text/html' },
          }),
      }),
    );
    const notJson = await run({ resourceTypes: ['Patient'] });
    expect(isSourceInvalidResponseError(notJson.error) && notJson.error.page === 2).toBe(true);
    expect((notJson.error as Error).message).toContain('not JSON');
    expect(notJson.delays).toEqual([]);

    server.use(http.get(`${BASE}/Patient`, () => HttpResponse.json({ resourceType: 'Patient', id: 'p1' })));
    const notBundle = await run({ resourceTypes: ['Patient'] });
    expect(
      isSourceInvalidResponseError(notBundle.error) && notBundle.error.message.includes('got Patient'),
    ).toBe(true);
  });

  it("quotes the server's OperationOutcome in the error message, truncated", async () => {
    const long = 'x'.repeat(1000);
    server.use(
      http.get(`${BASE}/CarePlan`, () =>
        HttpResponse.json(
          {
            resourceType: 'OperationOutcome',
            issue: [
              {
                severity: 'error',
                code: 'not-supported',
                diagnostics: `Search parameter _count is limited to 100 ${long}`,
              },
            ],
          },
          { status: 400 },
        ),
      ),
    );
    const { error } = await run({ resourceTypes: ['CarePlan'] });
    expect(isSourceHttpError(error) && error.status === 400).toBe(true);
    expect((error as Error).message).toContain(
      'HTTP 400 (OperationOutcome: error not-supported: Search parameter _count is limited to 100',
    );
    expect((error as Error).message.length).toBeLessThan(600);
  });

  it('fetches one OAuth2 token for every request of a run, and renews it once after a 401', async () => {
    let tokensIssued = 0;
    const tokenRequests: Array<{ authorization: string | null; body: string }> = [];
    const rejected = new Set<string>();
    server.use(
      http.post(TOKEN_URL, async ({ request }) => {
        tokenRequests.push({
          authorization: request.headers.get('authorization'),
          body: await request.text(),
        });
        tokensIssued += 1;
        return HttpResponse.json({
          access_token: `tok-${tokensIssued}`,
          token_type: 'bearer',
          expires_in: 3600,
        });
      }),
      ...FHIR_SEARCH_RESOURCE_TYPES.map((type) =>
        http.get(`${BASE}/${type}`, ({ request }) => {
          const authorization = request.headers.get('authorization') ?? '';
          if (!authorization.startsWith('Bearer tok-') || rejected.has(authorization))
            return new HttpResponse(null, { status: 401 });
          return HttpResponse.json(bundle(type, [`${type}-1`], `${BASE}?_getpages=${type}`));
        }),
      ),
      http.get(BASE, ({ request }) => {
        const type = new URL(request.url).searchParams.get('_getpages') ?? '';
        return HttpResponse.json(bundle(type, [`${type}-2`]));
      }),
    );
    const auth = {
      type: 'oauth2-client-credentials',
      tokenUrl: TOKEN_URL,
      clientId: 'esms agent',
      clientSecret: 's3cret:&',
      scope: 'system/*.read',
    } as const;
    const first = await run({ auth });
    expect(first.error).toBeUndefined();
    expect(first.items).toHaveLength(2 * FHIR_SEARCH_RESOURCE_TYPES.length);
    expect(tokensIssued).toBe(1);
    expect(tokenRequests[0]?.authorization).toBe(
      `Basic ${Buffer.from('esms+agent:s3cret%3A%26').toString('base64')}`,
    );
    expect(new URLSearchParams(tokenRequests[0]?.body)).toEqual(
      new URLSearchParams({ grant_type: 'client_credentials', scope: 'system/*.read' }),
    );

    // A token the server stops accepting is renewed once, then the run goes on.
    // Each run gets its own token: this one is issued tok-2, which is refused, and renews it as tok-3.
    rejected.add('Bearer tok-2');
    const renewed = await run({ auth, resourceTypes: ['Patient'] });
    expect(renewed.error).toBeUndefined();
    expect(ids(renewed.items)).toEqual(['Patient/Patient-1', 'Patient/Patient-2']);
    expect(tokensIssued).toBe(3);

    server.use(
      http.post(TOKEN_URL, () =>
        HttpResponse.json({ error: 'invalid_client', error_description: 'nope' }, { status: 401 }),
      ),
    );
    const refused = await run({ auth, resourceTypes: ['Patient'] });
    expect(
      isSourceAuthError(refused.error) && refused.error.message.includes('HTTP 401: invalid_client'),
    ).toBe(true);
    expect((refused.error as Error).message).not.toContain('s3cret');
  });

  it('keeps at most `concurrency` requests in flight, and yields pages as they arrive', async () => {
    let inFlight = 0;
    let maxInFlight = 0;
    server.use(
      ...FHIR_SEARCH_RESOURCE_TYPES.map((type) =>
        http.get(`${BASE}/${type}`, async () => {
          inFlight += 1;
          maxInFlight = Math.max(maxInFlight, inFlight);
          await new Promise((resolve) => setTimeout(resolve, 5));
          inFlight -= 1;
          return HttpResponse.json(bundle(type, ['a', 'b']));
        }),
      ),
    );
    const { items, error } = await run({ concurrency: 2 });
    expect(error).toBeUndefined();
    expect(items).toHaveLength(2 * FHIR_SEARCH_RESOURCE_TYPES.length);
    expect(maxInFlight).toBe(2);
  });

  it('bounds AuditEvents and Appointments only when asked, and asks _elements only when opted in', async () => {
    const asked = new Map<string, URLSearchParams[]>();
    server.use(
      ...FHIR_SEARCH_RESOURCE_TYPES.map((type) =>
        http.get(`${BASE}/${type}`, ({ request }) => {
          asked.set(type, [...(asked.get(type) ?? []), new URL(request.url).searchParams]);
          // Both Appointment searches return apt-1: it must come once.
          return HttpResponse.json(bundle(type, type === 'Appointment' ? ['apt-1'] : []));
        }),
      ),
    );
    const { items } = await run({
      auditEventsSince: '2023-12-31',
      encounterEventsSince: '2023-12-30',
      useElements: true,
    });
    expect(ids(items)).toEqual(['Appointment/apt-1']);
    // A local date D is asked from D's midnight at UTC+14, so that no time zone loses the start of D.
    expect(asked.get('AuditEvent')?.map((params) => params.get('date'))).toEqual(['ge2023-12-30T10:00:00Z']);
    expect(
      asked.get('Appointment')?.map((params) => [params.get('date'), params.get('_lastUpdated')]),
    ).toEqual([
      ['ge2023-12-29T10:00:00Z', null],
      [null, 'ge2023-12-29T10:00:00Z'],
    ]);
    for (const type of ['Organization', 'Patient', 'Encounter', 'EpisodeOfCare', 'CarePlan']) {
      const [params] = asked.get(type) ?? [];
      expect([...(params?.keys() ?? [])].sort()).toEqual(['_count', '_elements', '_total']);
      expect(params?.get('_elements')).toBe(FHIR_SEARCH_ELEMENTS[type]?.join(','));
    }

    asked.clear();
    await run();
    for (const [, [params]] of asked) expect([...(params?.keys() ?? [])]).toEqual(['_count', '_total']);
  });

  it('refuses a next link to another origin (it would carry our credentials)', async () => {
    server.use(
      http.get(`${BASE}/Patient`, () =>
        HttpResponse.json(bundle('Patient', ['p1'], 'http://elsewhere.test/fhir?_getpages=2')),
      ),
    );
    const { error } = await run({ resourceTypes: ['Patient'], auth: { type: 'bearer', token: 't' } });
    expect(
      isSourceInvalidResponseError(error) &&
        error.message.includes('leaves the server (http://elsewhere.test)'),
    ).toBe(true);
  });

  it("turns the server's outcome entries into problems, not records", async () => {
    server.use(
      http.get(`${BASE}/Patient`, () =>
        HttpResponse.json({
          resourceType: 'Bundle',
          type: 'searchset',
          entry: [
            { resource: { resourceType: 'Patient', id: 'p1' }, search: { mode: 'match' } },
            {
              resource: {
                resourceType: 'OperationOutcome',
                issue: [{ severity: 'warning', code: 'too-costly', diagnostics: 'results truncated' }],
              },
              search: { mode: 'outcome' },
            },
          ],
        }),
      ),
    );
    const { items, error } = await run({ resourceTypes: ['Patient'] });
    expect(error).toBeUndefined();
    expect(items).toEqual([
      { kind: 'record', value: { resourceType: 'Patient', id: 'p1' } },
      {
        kind: 'problem',
        problem: {
          location: `${BASE}/Patient?_count=500&_total=accurate`,
          reason: 'the server reports: warning too-costly: results truncated',
        },
      },
    ]);
  });

  it('stops with an aborted error when the signal aborts, even while waiting to retry', async () => {
    server.use(
      http.get(
        `${BASE}/Patient`,
        () => new HttpResponse(null, { status: 503, headers: { 'retry-after': '3600' } }),
      ),
    );
    const controller = new AbortController();
    const source = createFhirServerSource({
      baseUrl: BASE,
      resourceTypes: ['Patient'],
      retry: { maxDelayMs: 3_600_000 },
    });
    const iterating = (async () => {
      for await (const item of source.records(controller.signal)) void item;
    })();
    setTimeout(() => controller.abort(), 20);
    const error = await iterating.catch((caught: unknown) => caught);
    expect(isAgentError(error) && error.code === 'aborted').toBe(true);
  });

  it('stops every search when the consumer stops early', async () => {
    let requests = 0;
    server.use(
      http.get(`${BASE}/Patient`, () => HttpResponse.json(bundle('Patient', ['p0'], `${BASE}?_getpages=1`))),
      // An endless server: only the consumer stopping ends this.
      http.get(BASE, ({ request }) => {
        requests += 1;
        const page = Number(new URL(request.url).searchParams.get('_getpages'));
        return HttpResponse.json(bundle('Patient', [`p${page}`], `${BASE}?_getpages=${page + 1}`));
      }),
    );
    const seen: SourceItem[] = [];
    for await (const item of createFhirServerSource({
      baseUrl: BASE,
      resourceTypes: ['Patient'],
    }).records()) {
      seen.push(item);
      if (seen.length === 3) break;
    }
    const requestsWhenStopped = requests;
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(ids(seen)).toEqual(['Patient/p0', 'Patient/p1', 'Patient/p2']);
    expect(requests).toBe(requestsWhenStopped);
  });

  it('fails with input-incomplete when a page repeats records an earlier page gave (a server ignoring _offset)', async () => {
    server.use(
      http.get(`${BASE}/Patient`, ({ request }) => {
        const offset = Number(new URL(request.url).searchParams.get('_offset') ?? 0);
        // Always the first page, whatever the offset, with a next link that moves on.
        return HttpResponse.json(bundle('Patient', ['p1', 'p2'], `${BASE}/Patient?_offset=${offset + 2}`));
      }),
    );
    const { items, error } = await run({ resourceTypes: ['Patient'] });
    expect(ids(items)).toEqual(['Patient/p1', 'Patient/p2']);
    expect(isSourceIncompleteError(error) && [error.code, error.reason, error.pages]).toEqual([
      'input-incomplete',
      'page-repeats',
      2,
    ]);
    expect((error as Error).message).toContain('page 2 repeats 2 record(s) an earlier page gave');
  });

  it('fails with input-incomplete when a next link goes back to an earlier offset', async () => {
    server.use(
      http.get(`${BASE}/Patient`, ({ request }) => {
        const offset = Number(new URL(request.url).searchParams.get('_offset') ?? 0);
        return offset === 0
          ? HttpResponse.json(bundle('Patient', ['p1', 'p2'], `${BASE}/Patient?_offset=2`))
          : HttpResponse.json(bundle('Patient', ['p3'], `${BASE}/Patient?_offset=1`));
      }),
    );
    const { items, error } = await run({ resourceTypes: ['Patient'] });
    expect(ids(items)).toEqual(['Patient/p1', 'Patient/p2', 'Patient/p3']);
    expect(isSourceIncompleteError(error) && error.reason).toBe('page-goes-backwards');
  });

  it('fails with input-incomplete when the pages end before Bundle.total, even if each page looked fine', async () => {
    server.use(
      http.get(`${BASE}/Encounter`, () =>
        HttpResponse.json({ ...(bundle('Encounter', ['e1', 'e2']) as object), total: 2557 }),
      ),
    );
    const { error } = await run({ resourceTypes: ['Encounter'] });
    expect(isSourceIncompleteError(error) && [error.reason, error.records, error.total]).toEqual([
      'ended-before-total',
      2,
      2557,
    ]);
  });

  it('refuses a base URL that is not http(s) at once', () => {
    expect(() => createFhirServerSource({ baseUrl: 'dui.example/fhir' })).toThrow(
      expect.objectContaining({ code: 'config-invalid' }),
    );
  });
});
