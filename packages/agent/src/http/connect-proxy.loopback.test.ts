// The HTTPS proxy tunnel (issue 14.4): a real CONNECT proxy on loopback, written here on node:http's 'connect'
// event, in front of loopback HTTPS servers. Both HTTP stacks go through it: axios (the ARS client) and fetch
// through fhir-kit-client (the FHIR source), from the config's proxy key or from HTTPS_PROXY, and NO_PROXY
// keeps a host off it.
import { readFileSync } from 'node:fs';
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { connect, type AddressInfo, type Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createFhirServerSource } from '../sources/fhir-server-source.js';
import type { RecordSource } from '../sources/source.js';
import { ArsClient } from '../submit/ars-client.js';
import { SubmissionTransientError } from '../submit/submission-errors.js';

const submitTls = (name: string): Buffer =>
  readFileSync(new URL(`../submit/__fixtures__/tls/${name}`, import.meta.url));
const sourceTls = (name: string): Buffer =>
  readFileSync(new URL(`../sources/__fixtures__/tls/${name}`, import.meta.url));

const submission = { id: 'c'.repeat(64), body: '{"resourceType":"Bundle","type":"transaction","entry":[]}' };
const servers: Server[] = [];
/** Tunnelled sockets leave the proxy server's books: closing it does not end them, so they are kept here. */
const tunnelSockets: Socket[] = [];

async function listen(server: Server): Promise<number> {
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

/** The CONNECT authorities it tunnelled, and whether it refuses them all (`refuse`). */
interface Proxy {
  url: string;
  tunnels: string[];
  plain: string[];
  refuse: boolean;
}

async function connectProxy(): Promise<Proxy> {
  const proxy: Proxy = { url: '', tunnels: [], plain: [], refuse: false };
  const server = createHttpServer((request, response) => {
    // A tunnel-only proxy: a request in absolute form (what axios's own proxy option sends) is refused.
    proxy.plain.push(`${request.method} ${request.url}`);
    response.writeHead(405).end();
  });
  server.on('connect', (request, client: Socket, head: Buffer) => {
    const authority = request.url ?? '';
    proxy.tunnels.push(authority);
    if (proxy.refuse) {
      client.end('HTTP/1.1 403 Forbidden\r\n\r\n');
      return;
    }
    const [host, port] = authority.split(':');
    tunnelSockets.push(client);
    const upstream = connect(Number(port), host, () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    tunnelSockets.push(upstream);
    upstream.on('error', () => client.destroy());
    client.on('error', () => upstream.destroy());
  });
  proxy.url = `http://127.0.0.1:${await listen(server)}`;
  return proxy;
}

let proxy: Proxy;
let arsUrl: string;
let fhirUrl: string;
const fhirClients: string[] = [];

beforeAll(async () => {
  proxy = await connectProxy();
  const ars = createHttpsServer(
    { key: submitTls('server.key'), cert: submitTls('server.crt') },
    (req, res) => {
      req.resume();
      req.on('end', () => {
        res.writeHead(201, { 'content-type': 'application/fhir+json' });
        res.end('{"resourceType":"Bundle","type":"transaction-response","entry":[]}');
      });
    },
  );
  arsUrl = `https://127.0.0.1:${await listen(ars)}/fhir`;
  const fhir = createHttpsServer(
    {
      key: sourceTls('server.key'),
      cert: sourceTls('server.crt'),
      ca: sourceTls('test-ca.crt'),
      requestCert: true,
      rejectUnauthorized: true,
    },
    (req, res) => {
      fhirClients.push(String((req.socket as TLSSocket).getPeerCertificate().subject?.CN));
      res.writeHead(200, { 'content-type': 'application/fhir+json' });
      res.end(
        JSON.stringify({
          resourceType: 'Bundle',
          type: 'searchset',
          entry: [{ resource: { resourceType: 'Organization', id: 'o1' } }],
        }),
      );
    },
  );
  fhirUrl = `https://127.0.0.1:${await listen(fhir)}/fhir`;
});
afterAll(async () => {
  for (const socket of tunnelSockets) socket.destroy();
  await Promise.all(
    servers.map(
      (server) =>
        new Promise<void>((resolve) => {
          server.closeAllConnections();
          server.close(() => resolve());
        }),
    ),
  );
});
beforeEach(() => {
  proxy.tunnels.length = 0;
  proxy.plain.length = 0;
  proxy.refuse = false;
  fhirClients.length = 0;
});

const authority = (url: string): string => new URL(url).host;

async function withEnv<T>(env: Record<string, string | undefined>, run: () => Promise<T>): Promise<T> {
  const names = ['HTTPS_PROXY', 'https_proxy', 'HTTP_PROXY', 'http_proxy', 'NO_PROXY', 'no_proxy'];
  const saved = Object.fromEntries(names.map((name) => [name, process.env[name]]));
  for (const name of names) delete process.env[name];
  Object.assign(process.env, env);
  try {
    return await run();
  } finally {
    for (const name of names) {
      if (saved[name] === undefined) delete process.env[name];
      else process.env[name] = saved[name];
    }
  }
}

const fhirSource = (proxySetting?: string): RecordSource =>
  createFhirServerSource({
    baseUrl: fhirUrl,
    resourceTypes: ['Organization'],
    retry: { maxAttempts: 1 },
    ...(proxySetting === undefined ? {} : { proxy: proxySetting }),
    auth: {
      type: 'tls-client-certificate',
      cert: sourceTls('client.crt'),
      key: sourceTls('client.key'),
      passphrase: 'test-passphrase',
      ca: sourceTls('test-ca.crt'),
    },
  });

async function readAll(source: RecordSource): Promise<string[]> {
  const ids: string[] = [];
  for await (const item of source.records()) {
    if (item.kind === 'record') ids.push((item.value as { id: string }).id);
  }
  return ids;
}

describe('the ARS client (axios) through an HTTPS proxy', () => {
  it('tunnels with CONNECT to the configured proxy and speaks TLS to the ARS inside it', async () => {
    const receipt = await withEnv({}, () =>
      new ArsClient({ endpoint: arsUrl, proxy: proxy.url, ca: submitTls('ca.crt') }).send(submission),
    );
    expect(receipt.status).toBe(201);
    expect(proxy.tunnels).toEqual([authority(arsUrl)]);
    expect(proxy.plain).toEqual([]);
  });

  it('follows HTTPS_PROXY, and NO_PROXY keeps the host off it', async () => {
    await withEnv({ HTTPS_PROXY: proxy.url }, () =>
      new ArsClient({ endpoint: arsUrl, ca: submitTls('ca.crt') }).send(submission),
    );
    expect(proxy.tunnels).toEqual([authority(arsUrl)]);
    await withEnv({ HTTPS_PROXY: proxy.url, NO_PROXY: 'localhost,127.0.0.1' }, () =>
      new ArsClient({ endpoint: arsUrl, ca: submitTls('ca.crt') }).send(submission),
    );
    expect(proxy.tunnels).toHaveLength(1);
  });

  it('reports a proxy that refuses the tunnel as a transient failure naming the cause', async () => {
    proxy.refuse = true;
    const error = await withEnv({}, () =>
      new ArsClient({ endpoint: arsUrl, proxy: proxy.url, ca: submitTls('ca.crt') }).send(submission),
    ).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(SubmissionTransientError);
    expect((error as Error).message).toContain('the proxy refused the tunnel (ESM_PROXY_REFUSED)');
  });
});

describe('the FHIR source (fhir-kit-client on fetch) through an HTTPS proxy', () => {
  it('tunnels with CONNECT to the configured proxy, client certificate included', async () => {
    expect(await withEnv({}, () => readAll(fhirSource(proxy.url)))).toEqual(['o1']);
    expect(proxy.tunnels).toEqual([authority(fhirUrl)]);
    expect(fhirClients).toEqual(['esms-agent-test']);
  });

  it('follows HTTPS_PROXY, and NO_PROXY keeps the host off it', async () => {
    expect(await withEnv({ https_proxy: proxy.url }, () => readAll(fhirSource()))).toEqual(['o1']);
    expect(proxy.tunnels).toEqual([authority(fhirUrl)]);
    expect(
      await withEnv({ https_proxy: proxy.url, no_proxy: '127.0.0.1' }, () => readAll(fhirSource())),
    ).toEqual(['o1']);
    expect(proxy.tunnels).toHaveLength(1);
  });
});
