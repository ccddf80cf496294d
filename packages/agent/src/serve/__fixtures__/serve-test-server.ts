import { request as httpRequest } from 'node:http';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import type { LoadedConfig } from '../../config/load-config.js';
import { ServeAuth } from '../auth.js';
import { computeConfigured, type ConfiguredComputation } from '../configured-computation.js';
import { startServeServer, type RunningServer } from '../server.js';

export const SAMPLE_DATA = fileURLToPath(new URL('../../../../../examples/sample-data/', import.meta.url));
export const TEST_TOKEN = 'test-token-0123456789abcdef';

/** A real service on a free loopback port, silent, with the given config and token. */
export async function startTestServer(
  options: {
    loaded?: LoadedConfig | null;
    token?: string | null;
    bodyLimitBytes?: number;
    now?: () => Date;
    computeConfigured?: ConfiguredComputation;
  } = {},
): Promise<RunningServer> {
  return startServeServer(
    {
      loaded: options.loaded ?? null,
      auth: new ServeAuth(options.token === undefined ? TEST_TOKEN : options.token),
      bodyLimitBytes: options.bodyLimitBytes ?? 64 * 1024 * 1024,
      now: options.now ?? (() => new Date('2024-04-02T08:00:00Z')),
      logger: pino({ level: 'silent' }),
      computeConfigured: options.computeConfigured ?? computeConfigured,
    },
    { host: '127.0.0.1', port: 0 },
  );
}

export interface PlainResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  json: () => unknown;
}

/**
 * One request with node:http (no client-side buffering of the body: `body` may be an async iterable that
 * writes chunk by chunk, to show that the service reads as it arrives).
 */
export async function send(
  url: string,
  {
    method = 'GET',
    headers = {},
    body,
  }: {
    method?: string;
    headers?: Record<string, string>;
    body?: string | Buffer | AsyncIterable<string | Buffer>;
  } = {},
): Promise<PlainResponse> {
  return new Promise((resolvePromise, reject) => {
    const req = httpRequest(url, { method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        resolvePromise({
          status: res.statusCode ?? 0,
          headers: res.headers,
          text,
          json: () => JSON.parse(text) as unknown,
        });
      });
      res.on('error', reject);
    });
    // A server that answers before the whole body is sent (413) may close the connection: keep its answer.
    req.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code !== 'EPIPE' && error.code !== 'ECONNRESET') reject(error);
    });
    if (body === undefined) req.end();
    else if (typeof body === 'string' || Buffer.isBuffer(body)) req.end(body);
    else
      void (async () => {
        for await (const chunk of body) {
          if (!req.write(chunk)) await new Promise((r) => req.once('drain', r));
        }
        req.end();
      })().catch(reject);
  });
}
