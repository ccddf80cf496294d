import { readFileSync } from 'node:fs';
import {
  createServer as createHttpServer,
  request as httpRequest,
  type IncomingMessage,
  type Server,
} from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { afterEach, describe, expect, it } from 'vitest';
import { ArsClient } from './ars-client.js';
import { SubmissionTransientError } from './submission-errors.js';

// Real loopback servers (no msw): mutual TLS with an IGC-Santé-style client certificate, and a proxy.
const tls = (name: string): Buffer => readFileSync(new URL(`./__fixtures__/tls/${name}`, import.meta.url));
const submission = { id: 'b'.repeat(64), body: '{"resourceType":"Bundle","type":"transaction","entry":[]}' };
const answer = JSON.stringify({ resourceType: 'Bundle', type: 'transaction-response', entry: [] });

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(
    servers.splice(0).map(
      (server) =>
        new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeAllConnections();
        }),
    ),
  );
});

async function listen(server: Server): Promise<number> {
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (body += chunk));
    req.on('end', () => resolve(body));
  });
}

describe('ArsClient over TLS with a client certificate', () => {
  async function mutualTlsServer(): Promise<{ url: string; clients: string[] }> {
    const clients: string[] = [];
    const server = createHttpsServer(
      {
        key: tls('server.key'),
        cert: tls('server.crt'),
        ca: tls('ca.crt'),
        requestCert: true,
        rejectUnauthorized: true,
      },
      (req, res) => {
        const peer = (req.socket as TLSSocket).getPeerCertificate();
        clients.push(String(peer.subject.CN));
        void readBody(req).then(() => {
          res.writeHead(200, { 'Content-Type': 'application/fhir+json' });
          res.end(answer);
        });
      },
    );
    const port = await listen(server);
    return { url: `https://127.0.0.1:${port}/fhir`, clients };
  }

  it('presents the certificate (encrypted key + passphrase) and trusts the given CA', async () => {
    const { url, clients } = await mutualTlsServer();
    const client = new ArsClient({
      endpoint: url,
      proxy: false,
      ca: tls('ca.crt'),
      auth: {
        type: 'tls-client-certificate',
        cert: tls('client.crt'),
        key: tls('client.key'),
        passphrase: 'test-passphrase',
      },
    });
    const receipt = await client.send(submission);
    expect(receipt.status).toBe(200);
    expect(receipt.body).toBe(answer);
    expect(clients).toEqual(['970400024 test agent']);
  });

  it('is refused by the handshake without a certificate: a network error, kept for retry', async () => {
    const { url, clients } = await mutualTlsServer();
    const client = new ArsClient({ endpoint: url, proxy: false, ca: tls('ca.crt') });
    await expect(client.send(submission)).rejects.toBeInstanceOf(SubmissionTransientError);
    expect(clients).toEqual([]);
  });
});

describe('ArsClient through a proxy', () => {
  /** A minimal forward proxy for plain-HTTP targets (absolute-form request targets). */
  async function forwardProxy(): Promise<{ url: string; seen: string[] }> {
    const seen: string[] = [];
    const proxy = createHttpServer((req, res) => {
      seen.push(`${req.method} ${req.url}`);
      const target = new URL(req.url ?? '');
      const upstream = httpRequest(
        target,
        { method: req.method, headers: { ...req.headers, host: target.host } },
        (upstreamRes) => {
          res.writeHead(upstreamRes.statusCode ?? 502, upstreamRes.headers);
          upstreamRes.pipe(res);
        },
      );
      req.pipe(upstream);
    });
    const port = await listen(proxy);
    return { url: `http://127.0.0.1:${port}`, seen };
  }

  async function ars(): Promise<{ url: string; keys: string[] }> {
    const keys: string[] = [];
    const server = createHttpServer((req, res) => {
      keys.push(String(req.headers['idempotency-key']));
      void readBody(req).then(() => {
        res.writeHead(201, { 'Content-Type': 'application/fhir+json' });
        res.end(answer);
      });
    });
    const port = await listen(server);
    return { url: `http://127.0.0.1:${port}/fhir`, keys };
  }

  it('goes through the configured proxy', async () => {
    const proxy = await forwardProxy();
    const target = await ars();
    const receipt = await new ArsClient({ endpoint: target.url, proxy: proxy.url }).send(submission);
    expect(receipt.status).toBe(201);
    expect(proxy.seen).toEqual([`POST ${target.url}`]);
    expect(target.keys).toEqual([submission.id]);
  });

  it('follows HTTP_PROXY and NO_PROXY when no proxy is configured, and ignores them with proxy: false', async () => {
    const proxy = await forwardProxy();
    const target = await ars();
    const saved = {
      HTTP_PROXY: process.env['HTTP_PROXY'],
      NO_PROXY: process.env['NO_PROXY'],
      http_proxy: process.env['http_proxy'],
      no_proxy: process.env['no_proxy'],
    };
    try {
      delete process.env['http_proxy'];
      delete process.env['no_proxy'];
      delete process.env['NO_PROXY'];
      process.env['HTTP_PROXY'] = proxy.url;
      await new ArsClient({ endpoint: target.url }).send(submission);
      expect(proxy.seen).toHaveLength(1);
      await new ArsClient({ endpoint: target.url, proxy: false }).send(submission);
      expect(proxy.seen).toHaveLength(1);
      process.env['NO_PROXY'] = '127.0.0.1';
      await new ArsClient({ endpoint: target.url }).send(submission);
      expect(proxy.seen).toHaveLength(1);
      expect(target.keys).toHaveLength(3);
    } finally {
      for (const [key, value] of Object.entries(saved)) {
        if (value === undefined) delete process.env[key];
        else process.env[key] = value;
      }
    }
  });
});
