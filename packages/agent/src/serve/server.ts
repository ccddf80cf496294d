import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setSecurityHeaders } from './csp.js';
import { sendOperationOutcome } from './respond.js';
import { handleCompute } from './routes/compute.js';
import { handleDashboard } from './routes/dashboard.js';
import { handleEvaluateMeasure } from './routes/evaluate-measure.js';
import { handleOpenApi } from './openapi.js';
import type { ServeContext } from './serve-context.js';
import { isServeError, ServeError } from './serve-error.js';

type Handler = (
  request: IncomingMessage,
  response: ServerResponse,
  url: URL,
  context: ServeContext,
) => Promise<void>;

interface Route {
  methods: readonly string[];
  match: (path: string) => boolean;
  handler: Handler;
}

const EVALUATE_MEASURE = /^\/fhir\/Measure\/[^/]+\/\$evaluate-measure$/;

const ROUTES: readonly Route[] = [
  { methods: ['POST'], match: (p) => p === '/compute', handler: handleCompute },
  { methods: ['GET', 'POST'], match: (p) => EVALUATE_MEASURE.test(p), handler: handleEvaluateMeasure },
  { methods: ['GET'], match: (p) => p === '/openapi.json', handler: handleOpenApi },
  {
    methods: ['GET', 'POST'],
    match: (p) => p === '/' || p === '/tableau-de-bord' || p.startsWith('/tableau-de-bord/'),
    handler: handleDashboard,
  },
];

/** A body left unread by an error is read to this size and dropped, so that the client reads the answer. */
const DRAIN_LIMIT_BYTES = 64 * 1024 * 1024;

/**
 * The request handler of `esms serve`: routes, security headers on every answer, every failure as a FHIR
 * OperationOutcome (4xx: the caller's input, named; 5xx: ours, logged). One log line per request with its
 * method, route and status: never a query's values beyond FINESS and dates, never a body.
 */
export function createServeHandler(
  context: ServeContext,
): (request: IncomingMessage, response: ServerResponse) => void {
  return (request, response) => {
    const started = process.hrtime.bigint();
    const url = new URL(request.url ?? '/', 'http://esms.invalid');
    setSecurityHeaders(response);
    response.on('finish', () => {
      const durationMs = Number((process.hrtime.bigint() - started) / 1_000_000n);
      context.logger.info(
        { method: request.method, path: url.pathname, status: response.statusCode, durationMs },
        'request',
      );
    });
    void route(request, response, url, context).catch((error: unknown) => {
      const problem = isServeError(error) ? error : new ServeError('internal', 'internal error');
      if (!isServeError(error)) context.logger.error({ err: error, path: url.pathname }, 'request failed');
      if (response.headersSent) {
        response.destroy();
        return;
      }
      finishAfterError(request, response, problem);
    });
  };
}

async function route(
  request: IncomingMessage,
  response: ServerResponse,
  url: URL,
  context: ServeContext,
): Promise<void> {
  const found = ROUTES.find((r) => r.match(url.pathname));
  if (found === undefined) throw new ServeError('not-found', `no such path: ${url.pathname}`);
  if (!found.methods.includes(request.method ?? '')) {
    response.setHeader('Allow', found.methods.join(', '));
    throw new ServeError('method-not-allowed', `${request.method ?? '?'} is not allowed here`);
  }
  await found.handler(request, response, url, context);
}

/**
 * Answers an error. The rest of a body the error left unread is drained first (a client that writes its
 * whole body before it reads, like Python's urllib, would otherwise see a reset instead of the answer),
 * except past the limit: then the answer is sent and the connection closed.
 */
function finishAfterError(request: IncomingMessage, response: ServerResponse, problem: ServeError): void {
  if (request.complete || request.readableEnded) {
    sendOperationOutcome(response, problem);
    return;
  }
  if (problem.code === 'payload-too-large') {
    response.setHeader('Connection', 'close');
    sendOperationOutcome(response, problem);
    response.on('finish', () => request.destroy());
    return;
  }
  let drained = 0;
  const onData = (chunk: Buffer): void => {
    drained += chunk.length;
    if (drained > DRAIN_LIMIT_BYTES) {
      request.off('data', onData);
      response.setHeader('Connection', 'close');
      sendOperationOutcome(response, problem);
      response.on('finish', () => request.destroy());
    }
  };
  request.on('data', onData);
  request.once('end', () => {
    if (!response.headersSent) sendOperationOutcome(response, problem);
  });
  request.resume();
}

export interface RunningServer {
  server: Server;
  /** `http://127.0.0.1:PORT` (IPv6 hosts in brackets). */
  url: string;
  close(): Promise<void>;
}

/** Starts the service on `host:port` (0: a free port) and resolves once it listens. */
export async function startServeServer(
  context: ServeContext,
  { host, port }: { host: string; port: number },
): Promise<RunningServer> {
  const server = createServer(createServeHandler(context));
  // Large uploads take time: only an idle connection is closed (no whole-request deadline).
  server.requestTimeout = 0;
  await new Promise<void>((resolvePromise, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolvePromise();
    });
  });
  const address = server.address() as AddressInfo;
  const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    server,
    url: `http://${shownHost}:${address.port}`,
    close: () =>
      new Promise<void>((resolvePromise, reject) => {
        server.close((error) => (error === undefined ? resolvePromise() : reject(error)));
        server.closeAllConnections();
      }),
  };
}
