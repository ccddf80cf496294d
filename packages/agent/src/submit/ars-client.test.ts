import { delay, http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { isAgentError } from '../errors.js';
import { ArsClient, type ArsClientOptions } from './ars-client.js';
import { SubmissionPermanentError, SubmissionTransientError } from './submission-errors.js';

// msw only injects faults here; the happy path against a real loopback server is in deliver-receiver.test.ts.
const ENDPOINT = 'https://ars.test/fhir';
const TOKEN_URL = 'https://auth.ars.test/token';
const NOW = new Date('2024-04-01T06:00:00.000Z');
const submission = { id: 'a'.repeat(64), body: '{"resourceType":"Bundle","type":"transaction","entry":[]}' };
const transactionResponse = { resourceType: 'Bundle', type: 'transaction-response', entry: [] };

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

function client(options: Partial<ArsClientOptions> = {}): ArsClient {
  return new ArsClient({ endpoint: ENDPOINT, proxy: false, now: () => NOW, timeoutMs: 5_000, ...options });
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}

describe('ArsClient', () => {
  it('POSTs the exact bytes with the FHIR headers and the idempotency key, and returns the receipt', async () => {
    const seen: { body: string; headers: Record<string, string> }[] = [];
    server.use(
      http.post(ENDPOINT, async ({ request }) => {
        seen.push({ body: await request.text(), headers: Object.fromEntries(request.headers) });
        return HttpResponse.json(transactionResponse, {
          headers: { 'Content-Type': 'application/fhir+json', 'X-Request-Id': 'req-1', 'Set-Cookie': 'x=y' },
        });
      }),
    );
    const receipt = await client().send(submission);
    expect(seen).toHaveLength(1);
    expect(seen[0]?.body).toBe(submission.body);
    expect(seen[0]?.headers).toMatchObject({
      'content-type': 'application/fhir+json',
      accept: 'application/fhir+json',
      'idempotency-key': submission.id,
    });
    expect(seen[0]?.headers['authorization']).toBeUndefined();
    expect(receipt).toEqual({
      status: 200,
      headers: { 'content-type': 'application/fhir+json', 'x-request-id': 'req-1' },
      body: JSON.stringify(transactionResponse),
      receivedAt: NOW.toISOString(),
    });
  });

  it('keeps a 2xx whose body is not JSON as a receipt, raw', async () => {
    server.use(http.post(ENDPOINT, () => new HttpResponse('OK, got it {', { status: 202 })));
    const receipt = await client().send(submission);
    expect(receipt.status).toBe(202);
    expect(receipt.body).toBe('OK, got it {');
  });

  it('sends a bearer token', async () => {
    let authorization: string | null = null;
    server.use(
      http.post(ENDPOINT, ({ request }) => {
        authorization = request.headers.get('authorization');
        return HttpResponse.json(transactionResponse);
      }),
    );
    await client({ auth: { type: 'bearer', token: 'tok-123' } }).send(submission);
    expect(authorization).toBe('Bearer tok-123');
  });

  it.each([408, 425, 429, 500, 502, 503, 504])('classifies %i as transient', async (status) => {
    server.use(http.post(ENDPOINT, () => new HttpResponse('busy', { status })));
    const error = await rejection(client().send(submission));
    expect(error).toBeInstanceOf(SubmissionTransientError);
    expect((error as SubmissionTransientError).status).toBe(status);
    expect(isAgentError(error) && error.code).toBe('submission-transient');
  });

  it('reads Retry-After in seconds and as an HTTP-date', async () => {
    server.use(
      http.post(ENDPOINT, () => new HttpResponse(null, { status: 429, headers: { 'Retry-After': '7' } })),
    );
    expect(((await rejection(client().send(submission))) as SubmissionTransientError).retryAfterMs).toBe(
      7_000,
    );
    const date = new Date(NOW.getTime() + 90_000).toUTCString();
    server.use(
      http.post(ENDPOINT, () => new HttpResponse(null, { status: 503, headers: { 'Retry-After': date } })),
    );
    expect(((await rejection(client().send(submission))) as SubmissionTransientError).retryAfterMs).toBe(
      90_000,
    );
  });

  it.each([400, 404, 409, 422])(
    'classifies %i as permanent, keeping the OperationOutcome text',
    async (status) => {
      server.use(
        http.post(ENDPOINT, () =>
          HttpResponse.json(
            {
              resourceType: 'OperationOutcome',
              issue: [
                {
                  severity: 'error',
                  code: 'invalid',
                  diagnostics: 'Bundle.entry[1]: reporter FINESS is malformed',
                },
              ],
            },
            { status },
          ),
        ),
      );
      const error = await rejection(client().send(submission));
      expect(error).toBeInstanceOf(SubmissionPermanentError);
      expect((error as SubmissionPermanentError).status).toBe(status);
      expect((error as Error).message).toContain('Bundle.entry[1]: reporter FINESS is malformed');
    },
  );

  it('truncates a long refusal', async () => {
    server.use(http.post(ENDPOINT, () => new HttpResponse('x'.repeat(50_000), { status: 400 })));
    const error = (await rejection(client().send(submission))) as Error;
    expect(error.message.length).toBeLessThan(1_200);
  });

  it('treats a connection reset as transient, without leaking the axios error', async () => {
    server.use(http.post(ENDPOINT, () => HttpResponse.error()));
    const error = await rejection(client().send(submission));
    expect(error).toBeInstanceOf(SubmissionTransientError);
    expect(JSON.stringify(Object.entries(error as object))).not.toMatch(/config|headers/);
  });

  it('treats a timeout as transient', async () => {
    server.use(
      http.post(ENDPOINT, async () => {
        await delay(2_000);
        return HttpResponse.json(transactionResponse);
      }),
    );
    const error = await rejection(client({ timeoutMs: 50 }).send(submission));
    expect(error).toBeInstanceOf(SubmissionTransientError);
    expect((error as SubmissionTransientError).networkCode).toBe('ETIMEDOUT');
  });

  it('reports the caller’s abort as aborted', async () => {
    server.use(
      http.post(ENDPOINT, async () => {
        await delay(2_000);
        return HttpResponse.json(transactionResponse);
      }),
    );
    const controller = new AbortController();
    const pending = client().send(submission, controller.signal);
    setTimeout(() => controller.abort(), 20);
    const error = await rejection(pending);
    expect(isAgentError(error) && error.code).toBe('aborted');
  });

  it('does not follow redirects (a POST must not silently turn into something else)', async () => {
    server.use(
      http.post(
        ENDPOINT,
        () => new HttpResponse(null, { status: 301, headers: { Location: 'https://elsewhere.test/' } }),
      ),
    );
    const error = await rejection(client().send(submission));
    expect(error).toBeInstanceOf(SubmissionPermanentError);
    expect((error as Error).message).toContain('elsewhere.test');
  });

  describe('OAuth2 client credentials', () => {
    const auth = {
      type: 'oauth2-client-credentials' as const,
      tokenUrl: TOKEN_URL,
      clientId: 'agent-970400024',
      clientSecret: 's3cr:et',
      scope: 'measure-report.write',
    };

    it('fetches a token once, caches it, and refreshes it once on a 401', async () => {
      const tokenRequests: { form: string; authorization: string | null }[] = [];
      const used: (string | null)[] = [];
      let issued = 0;
      server.use(
        http.post(TOKEN_URL, async ({ request }) => {
          tokenRequests.push({
            form: await request.text(),
            authorization: request.headers.get('authorization'),
          });
          issued += 1;
          return HttpResponse.json({
            access_token: `token-${issued}`,
            token_type: 'Bearer',
            expires_in: 3600,
          });
        }),
        http.post(ENDPOINT, ({ request }) => {
          const authorization = request.headers.get('authorization');
          used.push(authorization);
          // The ARS revoked token-1 after the first submission.
          if (authorization === 'Bearer token-1' && used.length > 1)
            return new HttpResponse(null, { status: 401 });
          return HttpResponse.json(transactionResponse);
        }),
      );
      const ars = client({ auth });
      await ars.send(submission);
      await ars.send(submission);
      expect(used).toEqual(['Bearer token-1', 'Bearer token-1', 'Bearer token-2']);
      expect(tokenRequests).toHaveLength(2);
      const form = new URLSearchParams(tokenRequests[0]?.form);
      expect(form.get('grant_type')).toBe('client_credentials');
      expect(form.get('scope')).toBe('measure-report.write');
      expect(form.get('client_secret')).toBeNull();
      const basic = Buffer.from('agent-970400024:s3cr%3Aet').toString('base64');
      expect(tokenRequests[0]?.authorization).toBe(`Basic ${basic}`);
    });

    it('renews a token that is about to expire', async () => {
      let clock = NOW.getTime();
      let issued = 0;
      server.use(
        http.post(TOKEN_URL, () => {
          issued += 1;
          return HttpResponse.json({ access_token: `token-${issued}`, expires_in: 60 });
        }),
        http.post(ENDPOINT, () => HttpResponse.json(transactionResponse)),
      );
      const ars = client({ auth, now: () => new Date(clock) });
      await ars.send(submission);
      clock += 10_000;
      await ars.send(submission);
      expect(issued).toBe(1);
      clock += 25_000; // within the 30 s margin of expiry
      await ars.send(submission);
      expect(issued).toBe(2);
    });

    it('gives up as permanent when a fresh token is refused too, or the client is unknown', async () => {
      server.use(
        http.post(TOKEN_URL, () => HttpResponse.json({ access_token: 'token', expires_in: 3600 })),
        http.post(ENDPOINT, () => new HttpResponse(null, { status: 401 })),
      );
      expect(await rejection(client({ auth }).send(submission))).toBeInstanceOf(SubmissionPermanentError);
      server.use(
        http.post(TOKEN_URL, () =>
          HttpResponse.json(
            { error: 'invalid_client', error_description: 'unknown client' },
            { status: 401 },
          ),
        ),
      );
      const error = await rejection(client({ auth }).send(submission));
      expect(error).toBeInstanceOf(SubmissionPermanentError);
      expect((error as Error).message).toContain('invalid_client: unknown client');
      expect((error as Error).message).not.toContain('s3cr');
    });

    it('sends the credentials in the form when configured so; a token endpoint outage is transient', async () => {
      let form = '';
      server.use(
        http.post(TOKEN_URL, async ({ request }) => {
          form = await request.text();
          return new HttpResponse(null, { status: 503 });
        }),
      );
      const error = await rejection(
        client({ auth: { ...auth, clientAuthentication: 'body' } }).send(submission),
      );
      expect(error).toBeInstanceOf(SubmissionTransientError);
      expect(new URLSearchParams(form).get('client_secret')).toBe('s3cr:et');
    });
  });
});
