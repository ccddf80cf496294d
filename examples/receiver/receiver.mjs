// @ts-check
/**
 * The reference ARS receiver: a small, dependency-free FHIR endpoint that implements the submission
 * protocol of contract.md §4 (see README.md beside this file), with fault injection for tests and demos.
 * Plain Node.js ESM so it runs with `node` on a fresh machine, no build step. This file is the HTTP
 * server; the protocol's checks are in protocol.mjs, the stored reports in store.mjs, the injected
 * faults in faults.mjs.
 */
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import { createFaultQueue } from './faults.mjs';
import { arrayOf, field, sha256Hex } from '../support/json.mjs';
import {
  digestWithoutSeals,
  EVIDENCE_SEAL_URL,
  FHIR_JSON,
  MAX_BODY_BYTES,
  extensionValue,
  issue,
  outcome,
  sealExtension,
  submissionKey,
  validateBundle,
} from './protocol.mjs';
import { openReportStore } from './store.mjs';

export {
  EVIDENCE_SEAL_PREVIOUS_URL,
  EVIDENCE_SEAL_URL,
  FINESS_SYSTEM,
  MAX_BODY_BYTES,
  MEASURE_CANONICAL_BASE,
  MEASURE_IDS,
  SUBMISSION_IDENTIFIER_SYSTEM,
  validateBundle,
} from './protocol.mjs';

/** @typedef {import('./faults.mjs').Fault} Fault */
/** @typedef {import('./protocol.mjs').Issue} Issue */

/**
 * @typedef {object} ReceiverOptions
 * @property {string} dataDir   where accepted MeasureReports, the index and idempotency records are kept
 * @property {number} [port]    default 0 (an ephemeral port)
 * @property {string} [host]    default 127.0.0.1
 * @property {Fault[]} [faults] initial fault queue
 * @property {string} [bearerToken] when set, submissions must carry `Authorization: Bearer <token>`
 */

/**
 * @typedef {object} ReceiverStats
 * @property {number} requests           submission requests received (faulted ones included)
 * @property {number} accepted           transactions answered with 200
 * @property {number} rejected           submissions answered with a 4xx
 * @property {number} storedReports      MeasureReports stored (each once)
 * @property {number} duplicatesAvoided  entries not stored again (ifNoneExist match or idempotent replay)
 * @property {number} idempotentReplays  requests answered from the Idempotency-Key store
 * @property {number} faultsApplied
 * @property {number} pendingFaults
 */

/**
 * @typedef {object} Receiver
 * @property {string} url   the submission endpoint (`http://host:port/fhir`)
 * @property {() => Promise<void>} close
 * @property {() => ReceiverStats} stats
 * @property {(faults: Fault[]) => void} addFaults
 */

/**
 * Starts the receiver on a real socket.
 * @param {ReceiverOptions} options
 * @returns {Promise<Receiver>}
 */
export async function createReceiver(options) {
  const { dataDir, port = 0, host = '127.0.0.1', bearerToken } = options;
  const store = await openReportStore(dataDir);
  const faults = createFaultQueue(options.faults ?? []);
  const stats = {
    requests: 0,
    accepted: 0,
    rejected: 0,
    storedReports: store.size,
    duplicatesAvoided: 0,
    idempotentReplays: 0,
    faultsApplied: 0,
  };
  /** Transactions run one at a time: two concurrent resends must not both store. */
  let tail = Promise.resolve();
  /**
   * @template T
   * @param {() => Promise<T>} operation
   * @returns {Promise<T>}
   */
  const exclusive = (operation) => {
    const result = tail.then(operation, operation);
    tail = result.then(
      () => undefined,
      () => undefined,
    );
    return result;
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((error) => {
      if (!res.headersSent && !res.destroyed) {
        send(res, 500, outcome([issue('exception', error instanceof Error ? error.message : String(error))]));
      }
    });
  });

  /**
   * @param {import('node:http').IncomingMessage} req
   * @param {import('node:http').ServerResponse} res
   */
  async function handle(req, res) {
    const url = new URL(req.url ?? '/', 'http://receiver.invalid');
    const path = url.pathname.replace(/^\/fhir(?=\/|$)/, '').replace(/\/+$/, '') || '/';
    const method = req.method ?? 'GET';

    if (path === '/_stats' && method === 'GET') return send(res, 200, snapshot(), 'application/json');
    if (path === '/_faults') {
      if (method === 'GET') return send(res, 200, { faults: faults.faults }, 'application/json');
      if (method === 'DELETE') {
        faults.clear();
        return send(res, 200, { faults: faults.faults }, 'application/json');
      }
      if (method === 'POST') {
        try {
          /** @type {unknown} */
          const body = JSON.parse((await readBody(req)).toString('utf8'));
          const list = Array.isArray(body) ? body : field(body, 'faults');
          if (!Array.isArray(list)) throw new Error('expected an array of faults or {"faults": [...]}');
          faults.add(list);
          return send(res, 200, { faults: faults.faults }, 'application/json');
        } catch (error) {
          return send(
            res,
            400,
            { error: error instanceof Error ? error.message : String(error) },
            'application/json',
          );
        }
      }
    }
    if (path === '/MeasureReport' && method === 'GET') {
      const entries = await store.search(url.searchParams.get('identifier'));
      return send(res, 200, {
        resourceType: 'Bundle',
        type: 'searchset',
        total: entries.length,
        entry: entries,
      });
    }
    const read = /^\/MeasureReport\/([A-Za-z0-9\-.]{1,64})$/.exec(path);
    if (read !== null && method === 'GET') {
      const text = await store.readReport(read[1] ?? '');
      if (text === undefined)
        return send(res, 404, outcome([issue('not-found', `MeasureReport/${read[1]} is not known`)]));
      return send(res, 200, JSON.parse(text));
    }
    if (path === '/' && method === 'POST') return submission(req, res);
    if (path === '/' || path === '/MeasureReport' || read !== null) {
      return send(res, 405, outcome([issue('not-supported', `${method} is not supported here`)]));
    }
    return send(res, 404, outcome([issue('not-found', `Nothing at ${url.pathname}`)]));
  }

  /**
   * POST of a transaction Bundle: the protocol itself.
   * @param {import('node:http').IncomingMessage} req
   * @param {import('node:http').ServerResponse} res
   */
  async function submission(req, res) {
    stats.requests += 1;
    // The body is read first, as a real server would before its (possibly slow) processing.
    /** @type {Buffer} */
    let raw;
    try {
      raw = await readBody(req);
    } catch (error) {
      if (error instanceof BodyTooLargeError) {
        stats.rejected += 1;
        return send(res, 413, outcome([issue('too-costly', `The body exceeds ${MAX_BODY_BYTES} bytes`)]));
      }
      return; // the client went away mid-request: nothing to answer, nothing stored
    }
    const fault = faults.next();
    if (fault !== undefined) stats.faultsApplied += 1;
    if (fault?.delayMs !== undefined) await sleep(fault.delayMs);
    if (fault?.drop === true) {
      req.socket.destroy();
      return;
    }
    if (fault?.status !== undefined) {
      const headers = fault.retryAfter === undefined ? {} : { 'Retry-After': String(fault.retryAfter) };
      const code = fault.status >= 500 ? 'transient' : 'processing';
      return send(
        res,
        fault.status,
        outcome([issue(code, `Injected fault: ${fault.status}`)]),
        FHIR_JSON,
        headers,
      );
    }
    const dropAfterStore = fault?.dropAfterStore === true;

    if (bearerToken !== undefined && req.headers.authorization !== `Bearer ${bearerToken}`) {
      stats.rejected += 1;
      return send(res, 401, outcome([issue('login', 'A valid bearer token is required')]), FHIR_JSON, {
        'WWW-Authenticate': 'Bearer realm="ars"',
      });
    }
    const contentType = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
    if (contentType !== 'application/fhir+json' && contentType !== 'application/json') {
      stats.rejected += 1;
      return send(res, 415, outcome([issue('not-supported', 'Content-Type must be application/fhir+json')]));
    }
    const requestDigest = sha256Hex(raw);
    // contract.md §5: the evidence seals (and the reports' generation time) are not part of what a
    // submission is, so the same figures sealed again elsewhere (a reinstall, a lost data directory) are the
    // same request, not a reuse of the key.
    const figuresDigest = digestWithoutSeals(raw);
    const key = headerValue(req.headers['idempotency-key']);
    if (key !== undefined && (key.length === 0 || key.length > 255)) {
      stats.rejected += 1;
      return send(res, 400, outcome([issue('invalid', 'Idempotency-Key must be 1 to 255 characters')]));
    }

    // Serialised: a resend that arrives while the first copy is still being processed (the client timed
    // out) waits for it, then gets the replay or the ifNoneExist answers; it never races it.
    const answer = await exclusive(async () => {
      if (key !== undefined) {
        const previous = await store.readIdempotency(key);
        if (previous !== undefined && previous.requestDigest === requestDigest) {
          stats.idempotentReplays += 1;
          stats.duplicatesAvoided += previous.entries;
          return { status: previous.status, body: previous.body, headers: { 'Idempotent-Replayed': 'true' } };
        }
        if (previous !== undefined && previous.figuresDigest === figuresDigest) {
          // The same figures under another seal: applied again, every entry is a duplicate answered
          // `200 OK` with the seal received first, and the response's meta carries this request's seal.
          // The first answer stays the one replayed for the first body.
          return transaction(raw, undefined, requestDigest);
        }
        if (previous !== undefined) {
          return {
            status: 422,
            body: outcome([
              issue('business-rule', 'This Idempotency-Key was already used with a different body'),
            ]),
          };
        }
      }
      return transaction(raw, key, requestDigest, figuresDigest);
    });

    if (answer.status >= 400 && answer.status < 500) stats.rejected += 1;
    if (answer.status === 200) stats.accepted += 1;
    if (dropAfterStore) {
      // The crucial case: everything is stored, and the client never learns it.
      req.socket.destroy();
      return;
    }
    send(res, answer.status, answer.body, FHIR_JSON, answer.headers ?? {});
  }

  /**
   * Validates then applies a transaction: all entries or none.
   * @param {Buffer} raw
   * @param {string | undefined} key
   * @param {string} requestDigest
   * @param {string} [figuresDigest]
   * @returns {Promise<{ status: number, body: unknown, headers?: Record<string, string> }>}
   */
  async function transaction(raw, key, requestDigest, figuresDigest = requestDigest) {
    /** @type {unknown} */
    let bundle;
    try {
      bundle = JSON.parse(raw.toString('utf8'));
    } catch {
      return { status: 400, body: outcome([issue('structure', 'The body is not valid JSON')]) };
    }
    const issues = validateBundle(bundle);
    if (issues.length > 0) return { status: 400, body: outcome(issues) };

    /** @type {unknown[]} */
    const responses = [];
    let created = 0;
    for (const entry of arrayOf(field(bundle, 'entry'))) {
      const report = field(entry, 'resource');
      const identifierKey = submissionKey(report);
      const existing = store.find(identifierKey);
      if (existing !== undefined) {
        stats.duplicatesAvoided += 1;
        // The seal kept is the one received first: the same figures sealed again create nothing new.
        responses.push({
          response: {
            status: '200 OK',
            location: existing.location,
            etag: 'W/"1"',
            ...sealExtension(existing.seal),
          },
        });
        continue;
      }
      const stored = await store.add(identifierKey, report);
      stats.storedReports += 1;
      created += 1;
      responses.push({
        response: {
          status: '201 Created',
          location: stored.location,
          etag: 'W/"1"',
          lastModified: stored.lastUpdated,
          ...sealExtension(stored.seal),
        },
      });
    }
    if (created > 0) await store.saveIndex();
    // The receipt says which seal this request carried, and (per entry) the seal kept with each report.
    const requestSeal = extensionValue(field(field(bundle, 'meta'), 'extension'), EVIDENCE_SEAL_URL);
    const body = {
      resourceType: 'Bundle',
      id: randomUUID(),
      ...(requestSeal === null
        ? {}
        : { meta: { extension: [{ url: EVIDENCE_SEAL_URL, valueString: requestSeal }] } }),
      type: 'transaction-response',
      entry: responses,
    };
    if (key !== undefined) {
      // Stored before answering, so a lost answer is replayed identically.
      await store.writeIdempotency({
        key,
        requestDigest,
        figuresDigest,
        status: 200,
        body,
        entries: responses.length,
      });
    }
    return { status: 200, body };
  }

  /** @returns {ReceiverStats} */
  function snapshot() {
    return { ...stats, pendingFaults: faults.pending() };
  }

  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve(undefined));
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('The receiver has no TCP address');
  const hostForUrl = address.family === 'IPv6' ? `[${address.address}]` : address.address;

  return {
    url: `http://${hostForUrl}:${address.port}/fhir`,
    stats: snapshot,
    addFaults: (more) => {
      faults.add(more);
    },
    close: () =>
      new Promise((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}

class BodyTooLargeError extends Error {}

/**
 * The whole request body, refusing more than MAX_BODY_BYTES; rejects when the client goes away first.
 * @param {import('node:http').IncomingMessage} req
 * @returns {Promise<Buffer>}
 */
function readBody(req) {
  return new Promise((resolve, reject) => {
    /** @type {Buffer[]} */
    const chunks = [];
    let size = 0;
    req.on('data', (/** @type {Buffer} */ chunk) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        req.pause();
        reject(new BodyTooLargeError('body too large'));
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
    req.on('close', () => {
      if (!req.complete) reject(new Error('the client closed the connection'));
    });
  });
}

/**
 * @param {import('node:http').ServerResponse} res
 * @param {number} status
 * @param {unknown} body
 * @param {string} [contentType]
 * @param {Record<string, string>} [headers]
 */
function send(res, status, body, contentType = FHIR_JSON, headers = {}) {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'Content-Type': contentType,
    'Content-Length': Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

/** @param {string | string[] | undefined} value */
function headerValue(value) {
  return Array.isArray(value) ? value[0] : value;
}

/** @param {number} ms */
function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
