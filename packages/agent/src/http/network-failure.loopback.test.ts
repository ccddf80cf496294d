// Issue 12: a DUI or an ARS that cannot be reached says why (connection refused, TLS, DNS), through both HTTP
// stacks, instead of `network error (TypeError)`. Real sockets on loopback; the DNS case uses the reserved
// `.invalid` domain (RFC 2606), which never resolves.
import { readFileSync } from 'node:fs';
import { createServer as createHttpsServer, type Server } from 'node:https';
import { createServer as createNetServer, type AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFhirServerSource } from '../sources/fhir-server-source.js';
import { isSourceHttpError } from '../sources/source-http-error.js';
import { ArsClient } from '../submit/ars-client.js';
import { isSubmissionPermanentError, isSubmissionTransientError } from '../submit/submission-errors.js';

const tls = (name: string): Buffer =>
  readFileSync(new URL(`../submit/__fixtures__/tls/${name}`, import.meta.url));

let refusedUrl: string;
let untrustedUrl: string;
let httpsServer: Server;
const DNS_FAILURE_URL = 'http://dui.no-such-host.invalid/fhir';

beforeAll(async () => {
  // A port that was just free: nothing listens there any more.
  const probe = createNetServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  refusedUrl = `http://127.0.0.1:${port}/fhir`;
  // Its certificate is signed by a CA the client is not given.
  httpsServer = createHttpsServer({ key: tls('server.key'), cert: tls('server.crt') }, (_req, res) =>
    res.end('{}'),
  );
  await new Promise<void>((resolve) => httpsServer.listen(0, '127.0.0.1', resolve));
  untrustedUrl = `https://127.0.0.1:${(httpsServer.address() as AddressInfo).port}/fhir`;
});
afterAll(
  () =>
    new Promise<void>((resolve) => {
      httpsServer.closeAllConnections();
      httpsServer.close(() => resolve());
    }),
);

async function sourceError(baseUrl: string): Promise<unknown> {
  const source = createFhirServerSource({
    baseUrl,
    proxy: false,
    resourceTypes: ['Patient'],
    retry: { maxAttempts: 1 },
  });
  try {
    for await (const item of source.records()) void item;
  } catch (error) {
    return error;
  }
  throw new Error('expected the read to fail');
}

async function submitError(endpoint: string): Promise<unknown> {
  return new ArsClient({ endpoint, proxy: false }).send({ id: 'd'.repeat(64), body: '{}' }).then(
    () => {
      throw new Error('expected the send to fail');
    },
    (error: unknown) => error,
  );
}

const cases = [
  { name: 'connection refused', url: () => refusedUrl, text: 'connection refused', code: 'ECONNREFUSED' },
  {
    name: 'a TLS failure',
    url: () => untrustedUrl,
    text: "TLS failure: the server's certificate is not trusted",
  },
  { name: 'a DNS failure', url: () => DNS_FAILURE_URL, text: 'DNS failure: the host name does not resolve' },
];

describe('an unreachable FHIR server says why', () => {
  for (const { name, url, text, code } of cases) {
    it(`names ${name}`, async () => {
      const error = await sourceError(url());
      expect(isSourceHttpError(error) && error.status === undefined).toBe(true);
      expect((error as Error).message).toContain(text);
      if (code !== undefined) expect((error as Error).message).toContain(`(${code})`);
      expect((error as Error).message).not.toContain('TypeError');
    });
  }
});

describe('an unreachable ARS says why, in the same words', () => {
  for (const { name, url, text, code } of cases) {
    it(`names ${name}`, async () => {
      const error = await submitError(url());
      // A certificate not trusted is configuration, not an outage: never retried (follow-up O6).
      const tlsFailure = url() === untrustedUrl;
      expect(isSubmissionTransientError(error)).toBe(!tlsFailure);
      expect(isSubmissionPermanentError(error)).toBe(tlsFailure);
      if (tlsFailure)
        expect((error as Error).message).toContain('configuration, not a network outage: not retried');
      expect((error as Error).message).toContain(text);
      if (code !== undefined) expect(isSubmissionTransientError(error) && error.networkCode).toBe(code);
    });
  }
});
