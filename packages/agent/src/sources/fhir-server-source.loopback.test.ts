// Real HTTP on loopback: the demo's FHIR server (examples/fhir-server) and a TLS server that requires a client
// certificate. No msw here.
import { readFileSync } from 'node:fs';
import { createServer } from 'node:https';
import type { TLSSocket } from 'node:tls';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFileSource } from './file-source.js';
import { createFhirServerSource } from './fhir-server-source.js';
import type { FhirServerSourceOptions } from './fhir-server-source.js';
import { isSourceHttpError } from './source-http-error.js';
import type { RecordSource, SourceItem } from './source.js';

const DATA_DIR = fileURLToPath(new URL('./__fixtures__/dui-small-ndjson/', import.meta.url));
const TOKEN = 'loopback-test-token';

/** What the tests use of examples/fhir-server/fhir-server.mjs (plain JavaScript, so that the demo runs it with node). */
interface FhirFixtureServer {
  url: string;
  counts: Record<string, number>;
  requests: string[];
  close(): Promise<void>;
}
interface FhirFixtureServerModule {
  startFhirServer: (options: { dataDir: string; bearerToken?: string }) => Promise<FhirFixtureServer>;
}
const FIXTURE_SERVER_MODULE = new URL('../../../../examples/fhir-server/fhir-server.mjs', import.meta.url)
  .href;

async function collect(source: RecordSource): Promise<SourceItem[]> {
  const items: SourceItem[] = [];
  for await (const item of source.records()) items.push(item);
  return items;
}

const keys = (items: SourceItem[]): string[] =>
  items
    .flatMap((item) => {
      if (item.kind !== 'record') return [];
      const value = item.value as { resourceType?: string; id?: string };
      return value.resourceType === undefined ? [] : [`${value.resourceType}/${value.id}`];
    })
    .sort();

describe('createFhirServerSource against the demo FHIR server', () => {
  let server: FhirFixtureServer;
  beforeAll(async () => {
    const { startFhirServer } = (await import(FIXTURE_SERVER_MODULE)) as FhirFixtureServerModule;
    server = await startFhirServer({ dataDir: DATA_DIR, bearerToken: TOKEN });
  });
  afterAll(() => server.close());

  const read = (options: Partial<FhirServerSourceOptions> = {}): Promise<SourceItem[]> =>
    collect(
      createFhirServerSource({
        baseUrl: server.url,
        auth: { type: 'bearer', token: TOKEN },
        pageSize: 3,
        ...options,
      }),
    );

  it('reads back every resource of the directory, page by page, exactly once', async () => {
    const [fromServer, fromFiles] = await Promise.all([
      read(),
      collect(createFileSource({ paths: [DATA_DIR] })),
    ]);
    expect(fromServer.every((item) => item.kind === 'record')).toBe(true);
    expect(keys(fromServer)).toEqual(keys(fromFiles));
    expect(keys(fromServer)).toHaveLength(
      Object.values(server.counts).reduce((sum, count) => sum + count, 0),
    );
    // 7 Patients at 3 per page: 3 pages, the next two through opaque page tokens.
    expect(server.requests.filter((url) => url.startsWith('/fhir?_getpages=')).length).toBeGreaterThanOrEqual(
      4,
    );
  });

  it('bounds AuditEvents and Appointments to the window without losing an update, and applies _elements', async () => {
    const items = await read({
      auditEventsSince: '2024-01-01',
      encounterEventsSince: '2024-01-01',
      useElements: true,
    });
    const got = keys(items);
    expect(got.filter((key) => key.startsWith('AuditEvent/'))).toEqual([
      'AuditEvent/ae-1',
      'AuditEvent/ae-2',
    ]);
    expect(got.filter((key) => key.startsWith('Appointment/'))).toEqual([
      'Appointment/apt-in-p',
      'Appointment/apt-old-updated',
    ]);
    expect(got.filter((key) => key.startsWith('Patient/'))).toHaveLength(7);
    const patient = items.find(
      (item) => item.kind === 'record' && (item.value as { resourceType: string }).resourceType === 'Patient',
    );
    expect(patient?.kind === 'record' && Object.keys(patient.value as object).sort()).toEqual([
      'id',
      'meta',
      'resourceType',
    ]);
  });

  it('reports a wrong token as an auth error', async () => {
    const error = await collect(
      createFhirServerSource({
        baseUrl: server.url,
        auth: { type: 'bearer', token: 'wrong' },
        resourceTypes: ['Patient'],
      }),
    ).catch((caught: unknown) => caught);
    expect((error as { code?: string }).code).toBe('source-auth');
  });
});

describe('createFhirServerSource with a TLS client certificate', () => {
  const tls = (name: string): Buffer =>
    readFileSync(fileURLToPath(new URL(`./__fixtures__/tls/${name}`, import.meta.url)));
  const clientNames: string[] = [];
  let url: string;
  const server = createServer(
    {
      key: tls('server.key'),
      cert: tls('server.crt'),
      ca: tls('test-ca.crt'),
      requestCert: true,
      rejectUnauthorized: true,
    },
    (request, response) => {
      const peer = (request.socket as TLSSocket).getPeerCertificate();
      clientNames.push(String(peer.subject?.CN));
      response.writeHead(200, { 'content-type': 'application/fhir+json' });
      response.end(
        JSON.stringify({
          resourceType: 'Bundle',
          type: 'searchset',
          entry: [{ resource: { resourceType: 'Organization', id: 'o1' } }],
        }),
      );
    },
  );
  beforeAll(async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `https://127.0.0.1:${(server.address() as AddressInfo).port}/fhir`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it('presents the certificate to the server', async () => {
    const items = await collect(
      createFhirServerSource({
        baseUrl: url,
        resourceTypes: ['Organization'],
        auth: {
          type: 'tls-client-certificate',
          cert: tls('client.crt'),
          key: tls('client.key'),
          passphrase: 'test-passphrase',
          ca: tls('test-ca.crt'),
        },
      }),
    );
    expect(keys(items)).toEqual(['Organization/o1']);
    expect(clientNames).toEqual(['esms-agent-test']);
  });

  it('fails with a typed network error when the server does not trust us', async () => {
    const error = await collect(
      createFhirServerSource({
        baseUrl: url,
        resourceTypes: ['Organization'],
        retry: { maxAttempts: 1 },
        auth: {
          type: 'tls-client-certificate',
          cert: tls('untrusted-client.crt'),
          key: tls('untrusted-client.key'),
          ca: tls('test-ca.crt'),
        },
      }),
    ).catch((caught: unknown) => caught);
    expect(
      isSourceHttpError(error) &&
        error.status === undefined &&
        error.message.includes('connection closed by the other side') &&
        error.message.includes('(UND_ERR_SOCKET)'),
    ).toBe(true);
  });
});
