// @ts-check
/**
 * The reference ARS receiver: a small, dependency-free FHIR endpoint that implements the submission
 * protocol of contract.md §4 (see README.md beside this file), with fault injection for tests and demos.
 * Plain Node.js ESM so it runs with `node` on a fresh machine, no build step.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { mkdir, open, readdir, readFile, rename, unlink } from 'node:fs/promises';
import { createServer } from 'node:http';
import { join } from 'node:path';

export const SUBMISSION_IDENTIFIER_SYSTEM = 'https://esms-numerique.github.io/fhir/submission';
export const MEASURE_CANONICAL_BASE = 'https://esms-numerique.github.io/fhir/Measure/';
export const FINESS_SYSTEM = 'https://finess.esante.gouv.fr';
/** contract.md §5: the hash of the journal entry that sealed the report's run (the agent's chain head). */
export const EVIDENCE_SEAL_URL = 'https://esms-numerique.github.io/fhir/StructureDefinition/evidence-seal';
/** Beside it: the hash of the entry before that one. */
export const EVIDENCE_SEAL_PREVIOUS_URL =
  'https://esms-numerique.github.io/fhir/StructureDefinition/evidence-seal-previous';
const SEAL_PATTERN = /^[0-9a-f]{64}$/;

/** Every measure the protocol accepts (indicators.md). */
export const MEASURE_IDS = Object.freeze([
  'taux-dossiers-actifs',
  'taux-projet-personnalise',
  'taux-evenement-agenda',
  'taux-mssante',
  'taux-dmp',
  'e-prescriptions-importees',
  'echanges-e-parcours',
  'dossiers-actifs',
  'file-active',
]);
const RATE_IDS = new Set(MEASURE_IDS.filter((id) => id.startsWith('taux-')));
/** Rates whose numerator is a subset of the denominator (MSSanté counts messages and may exceed it). */
const PROPORTION_IDS = new Set([...RATE_IDS].filter((id) => id !== 'taux-mssante'));
const POPULATION_SYSTEM = 'http://terminology.hl7.org/CodeSystem/measure-population';
const POPULATION_CODES = new Set([
  'initial-population',
  'numerator',
  'numerator-exclusion',
  'denominator',
  'denominator-exclusion',
  'denominator-exception',
  'measure-population',
  'measure-population-exclusion',
  'measure-observation',
]);
const FINESS_PATTERN = /^(?:\d{2}|2[AB])\d{7}$/;
const DATE_TIME_PATTERN =
  /^\d{4}(?:-(?:0[1-9]|1[0-2])(?:-(?:0[1-9]|[12]\d|3[01])(?:T[0-2]\d:[0-5]\d:[0-5]\d(?:\.\d{1,9})?(?:Z|[+-](?:0\d|1[0-4]):[0-5]\d))?)?)?$/;
export const MAX_BODY_BYTES = 10 * 1024 * 1024;
const FHIR_JSON = 'application/fhir+json; charset=utf-8';

/**
 * @typedef {object} Fault  One injected fault, applied to the next submission request(s).
 * @property {number} [status]          answer with this HTTP status (and an OperationOutcome) instead of processing
 * @property {number} [retryAfter]      with `status`: a `Retry-After` header, in seconds
 * @property {number} [delayMs]         wait this long before doing anything else
 * @property {boolean} [drop]           destroy the connection without answering (nothing stored)
 * @property {boolean} [dropAfterStore] process and store normally, then destroy the connection: the client never sees the receipt
 * @property {number} [times]           apply this fault to this many consecutive requests (default 1)
 */

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

/** @typedef {{ severity: 'error', code: string, diagnostics: string, expression?: string[] }} Issue */

/**
 * Starts the receiver on a real socket.
 * @param {ReceiverOptions} options
 * @returns {Promise<Receiver>}
 */
export async function createReceiver(options) {
  const { dataDir, port = 0, host = '127.0.0.1', bearerToken } = options;
  const reportsDir = join(dataDir, 'MeasureReport');
  const idempotencyDir = join(dataDir, 'idempotency');
  await mkdir(reportsDir, { recursive: true });
  await mkdir(idempotencyDir, { recursive: true });

  /** identifier key (`system|value`) → stored report */
  const index = await loadIndex(reportsDir);
  /** @type {Fault[]} */
  const faults = (options.faults ?? []).map(checkFault);
  const stats = {
    requests: 0,
    accepted: 0,
    rejected: 0,
    storedReports: index.size,
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
        send(
          res,
          500,
          outcome([{ severity: 'error', code: 'exception', diagnostics: String(error?.message ?? error) }]),
        );
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
      if (method === 'GET') return send(res, 200, { faults }, 'application/json');
      if (method === 'DELETE') {
        faults.length = 0;
        return send(res, 200, { faults }, 'application/json');
      }
      if (method === 'POST') {
        try {
          const body = JSON.parse((await readBody(req)).toString('utf8'));
          const list = Array.isArray(body) ? body : body?.faults;
          if (!Array.isArray(list)) throw new Error('expected an array of faults or {"faults": [...]}');
          faults.push(...list.map(checkFault));
          return send(res, 200, { faults }, 'application/json');
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
    if (path === '/MeasureReport' && method === 'GET') return send(res, 200, await searchset(url));
    const read = /^\/MeasureReport\/([A-Za-z0-9\-.]{1,64})$/.exec(path);
    if (read !== null && method === 'GET') {
      const text = await readFile(join(reportsDir, `${read[1]}.json`), 'utf8').catch(() => undefined);
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
    const fault = nextFault();
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
    const requestDigest = createHash('sha256').update(raw).digest('hex');
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
        const previous = await readIdempotency(key);
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
    /** @type {any} */
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
    for (const entry of bundle.entry) {
      const identifierKey = submissionKey(entry.resource);
      const existing = index.get(identifierKey);
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
      const id = randomUUID();
      const lastUpdated = new Date().toISOString();
      const resource = { ...entry.resource, id, meta: { versionId: '1', lastUpdated } };
      await writeDurably(join(reportsDir, `${id}.json`), `${JSON.stringify(resource, null, 2)}\n`);
      const location = `MeasureReport/${id}/_history/1`;
      const seal = sealOf(entry.resource);
      index.set(identifierKey, { id, location, lastUpdated, seal });
      stats.storedReports += 1;
      created += 1;
      responses.push({
        response: {
          status: '201 Created',
          location,
          etag: 'W/"1"',
          lastModified: lastUpdated,
          ...sealExtension(seal),
        },
      });
    }
    if (created > 0) await writeIndex();
    // The receipt says which seal this request carried, and (per entry) the seal kept with each report.
    const requestSeal = extensionValue(bundle.meta?.extension, EVIDENCE_SEAL_URL);
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
      await writeDurably(
        idempotencyFile(key),
        JSON.stringify({ key, requestDigest, figuresDigest, status: 200, body, entries: responses.length }),
      );
    }
    return { status: 200, body };
  }

  async function writeIndex() {
    const entries = [...index.entries()].map(([identifier, stored]) => ({ identifier, ...stored }));
    await writeDurably(join(dataDir, 'index.json'), `${JSON.stringify({ entries }, null, 2)}\n`);
  }

  /** @param {string} key */
  function idempotencyFile(key) {
    return join(idempotencyDir, `${createHash('sha256').update(key, 'utf8').digest('hex')}.json`);
  }

  /**
   * @param {string} key
   * @returns {Promise<{ requestDigest: string, figuresDigest?: string, status: number, body: unknown, entries: number } | undefined>}
   */
  async function readIdempotency(key) {
    const text = await readFile(idempotencyFile(key), 'utf8').catch(() => undefined);
    return text === undefined ? undefined : JSON.parse(text);
  }

  /** @param {URL} url */
  async function searchset(url) {
    const wanted = url.searchParams.get('identifier');
    const entries = [];
    for (const [identifierKey, stored] of index) {
      if (wanted !== null && wanted !== identifierKey) continue;
      const resource = JSON.parse(await readFile(join(reportsDir, `${stored.id}.json`), 'utf8'));
      entries.push({ fullUrl: `MeasureReport/${stored.id}`, resource, search: { mode: 'match' } });
    }
    return { resourceType: 'Bundle', type: 'searchset', total: entries.length, entry: entries };
  }

  /** @returns {Fault | undefined} */
  function nextFault() {
    const head = faults[0];
    if (head === undefined) return undefined;
    stats.faultsApplied += 1;
    if ((head.times ?? 1) > 1) {
      head.times = (head.times ?? 1) - 1;
      return { ...head, times: 1 };
    }
    faults.shift();
    return head;
  }

  /** @returns {ReceiverStats} */
  function snapshot() {
    return { ...stats, pendingFaults: faults.reduce((n, f) => n + (f.times ?? 1), 0) };
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
      faults.push(...more.map(checkFault));
    },
    close: () =>
      new Promise((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}

/**
 * Every problem of a submitted Bundle, each naming the entry and the element.
 * @param {any} bundle
 * @returns {Issue[]}
 */
export function validateBundle(bundle) {
  /** @type {Issue[]} */
  const issues = [];
  if (!isObject(bundle) || bundle.resourceType !== 'Bundle') {
    return [issue('structure', 'The body must be a FHIR Bundle', 'Bundle')];
  }
  if (bundle.type !== 'transaction')
    issues.push(issue('invalid', 'Bundle.type must be "transaction"', 'Bundle.type'));
  if (!Array.isArray(bundle.entry) || bundle.entry.length === 0) {
    issues.push(issue('required', 'Bundle.entry must hold at least one MeasureReport', 'Bundle.entry'));
    return issues;
  }
  /** @type {Map<string, number>} */
  const seen = new Map();
  bundle.entry.forEach((/** @type {any} */ entry, /** @type {number} */ index) => {
    const at = `Bundle.entry[${index}]`;
    const before = issues.length;
    validateEntry(entry, at, issues);
    if (issues.length === before) {
      const key = submissionKey(entry.resource);
      const first = seen.get(key);
      if (first !== undefined) {
        issues.push(
          issue(
            'duplicate',
            `${at}: same submission identifier as Bundle.entry[${first}]`,
            `${at}.resource.identifier`,
          ),
        );
      } else {
        seen.set(key, index);
      }
    }
  });
  return issues;
}

/**
 * @param {any} entry
 * @param {string} at
 * @param {Issue[]} issues
 */
function validateEntry(entry, at, issues) {
  /** @param {string} code @param {string} problem @param {string} element */
  const fail = (code, problem, element) => issues.push(issue(code, `${at}: ${problem}`, `${at}.${element}`));
  if (!isObject(entry)) return fail('structure', 'not an object', '');
  if (!isObject(entry.request) || entry.request.method !== 'POST' || entry.request.url !== 'MeasureReport') {
    fail('invalid', 'request must be POST MeasureReport', 'request');
  }
  const report = entry.resource;
  if (!isObject(report) || report.resourceType !== 'MeasureReport') {
    return fail('invalid', 'resource must be a MeasureReport', 'resource');
  }
  const r = 'resource';
  if (report.status !== 'complete') fail('invalid', 'MeasureReport.status must be "complete"', `${r}.status`);
  if (report.type !== 'summary') fail('invalid', 'MeasureReport.type must be "summary"', `${r}.type`);
  for (const forbidden of ['subject', 'evaluatedResource', 'contained']) {
    if (report[forbidden] !== undefined) {
      fail(
        'security',
        `MeasureReport.${forbidden} is not allowed (no person-level data)`,
        `${r}.${forbidden}`,
      );
    }
  }
  if (JSON.stringify(report.group ?? []).includes('"subjectResults"')) {
    fail('security', 'subjectResults are not allowed (no person-level data)', `${r}.group`);
  }

  // A canonical, optionally with the measures' version (`…/Measure/taux-dmp|2024.1.1`).
  const measureId =
    typeof report.measure === 'string' && report.measure.startsWith(MEASURE_CANONICAL_BASE)
      ? report.measure.slice(MEASURE_CANONICAL_BASE.length).split('|')[0]
      : undefined;
  if (measureId === undefined || !MEASURE_IDS.includes(measureId)) {
    fail(
      'value',
      `MeasureReport.measure must be ${MEASURE_CANONICAL_BASE}<one of ${MEASURE_IDS.join(', ')}>[|version]`,
      `${r}.measure`,
    );
  }

  const period = report.period;
  const start = period?.start;
  const end = period?.end;
  if (typeof start !== 'string' || !DATE_TIME_PATTERN.test(start))
    fail('value', 'MeasureReport.period.start must be a dateTime', `${r}.period.start`);
  else if (typeof end !== 'string' || !DATE_TIME_PATTERN.test(end))
    fail('value', 'MeasureReport.period.end must be a dateTime', `${r}.period.end`);
  else if (Date.parse(start) > Date.parse(end))
    fail('value', 'MeasureReport.period ends before it starts', `${r}.period`);

  const reporter = report.reporter?.identifier;
  if (!isObject(reporter) || reporter.system !== FINESS_SYSTEM) {
    fail(
      'required',
      `MeasureReport.reporter.identifier must have system ${FINESS_SYSTEM}`,
      `${r}.reporter.identifier`,
    );
  } else if (typeof reporter.value !== 'string' || !FINESS_PATTERN.test(reporter.value)) {
    fail(
      'value',
      'MeasureReport.reporter.identifier.value must be a 9-character FINESS',
      `${r}.reporter.identifier.value`,
    );
  }

  for (const url of [EVIDENCE_SEAL_URL, EVIDENCE_SEAL_PREVIOUS_URL]) {
    const value = extensionValue(report.extension, url);
    if (value !== null && !SEAL_PATTERN.test(value)) {
      fail('value', `the extension ${url} must be a lowercase hex SHA-256 (64 characters)`, `${r}.extension`);
    }
  }

  const identifiers = Array.isArray(report.identifier) ? report.identifier : [];
  const submissionId = identifiers.find(
    (/** @type {any} */ i) => isObject(i) && i.system === SUBMISSION_IDENTIFIER_SYSTEM,
  );
  if (
    submissionId === undefined ||
    typeof submissionId.value !== 'string' ||
    submissionId.value.length === 0
  ) {
    fail(
      'required',
      `MeasureReport.identifier with system ${SUBMISSION_IDENTIFIER_SYSTEM} is required`,
      `${r}.identifier`,
    );
  } else if (
    entry.request?.ifNoneExist !== undefined &&
    entry.request.ifNoneExist !== `identifier=${SUBMISSION_IDENTIFIER_SYSTEM}|${submissionId.value}`
  ) {
    fail('invalid', 'request.ifNoneExist must match the submission identifier', 'request.ifNoneExist');
  }

  if (!Array.isArray(report.group) || report.group.length === 0) {
    return fail('required', 'MeasureReport.group is required', `${r}.group`);
  }
  report.group.forEach((/** @type {any} */ group, /** @type {number} */ g) => {
    const at = `${r}.group[${g}]`;
    /** @type {Record<string, number>} */
    const counts = {};
    if (!isObject(group) || !Array.isArray(group.population) || group.population.length === 0) {
      return fail('required', `${at}.population is required`, `${at}.population`);
    }
    group.population.forEach((/** @type {any} */ population, /** @type {number} */ p) => {
      const coding = population?.code?.coding?.find(
        (/** @type {any} */ c) => c?.system === POPULATION_SYSTEM,
      );
      if (coding === undefined || !POPULATION_CODES.has(coding.code)) {
        fail(
          'code-invalid',
          `${at}.population[${p}].code must be from ${POPULATION_SYSTEM}`,
          `${at}.population[${p}].code`,
        );
      } else if (!Number.isInteger(population.count) || population.count < 0) {
        fail('value', `${at}.population[${p}].count must be an integer ≥ 0`, `${at}.population[${p}].count`);
      } else {
        counts[coding.code] = population.count;
      }
    });
    const score = group.measureScore;
    if (
      score !== undefined &&
      (!isObject(score) || typeof score.value !== 'number' || !Number.isFinite(score.value))
    ) {
      fail('value', `${at}.measureScore.value must be a number`, `${at}.measureScore`);
    }
    if (measureId !== undefined && RATE_IDS.has(measureId)) {
      if (counts['numerator'] === undefined || counts['denominator'] === undefined) {
        fail('required', `${at} must have numerator and denominator populations`, `${at}.population`);
      } else if (PROPORTION_IDS.has(measureId) && counts['numerator'] > counts['denominator']) {
        fail(
          'business-rule',
          `${at}: numerator ${counts['numerator']} exceeds denominator ${counts['denominator']}`,
          `${at}.population`,
        );
      }
    }
  });
}

/**
 * The value of the extension `url` in an extension array, or null.
 * @param {unknown} extensions
 * @param {string} url
 * @returns {string | null}
 */
function extensionValue(extensions, url) {
  if (!Array.isArray(extensions)) return null;
  const found = extensions.find((/** @type {any} */ e) => isObject(e) && e.url === url);
  return typeof found?.valueString === 'string' ? found.valueString : null;
}

/**
 * SHA-256 of a request body without what a later run changes when it sends the same figures again: the
 * evidence-seal extensions (on the Bundle's meta and on each MeasureReport), each MeasureReport's `date`
 * (when it was generated), and the Bundle's `id` and `timestamp`. Two requests with this digest are the same
 * submission for the Idempotency-Key (contract.md §5: the seal is not part of the submission). A body that is
 * not JSON is digested as it is (it is refused later anyway).
 * @param {Buffer} raw
 * @returns {string}
 */
function digestWithoutSeals(raw) {
  /** @type {any} */
  let bundle;
  try {
    bundle = JSON.parse(raw.toString('utf8'));
  } catch {
    return createHash('sha256').update(raw).digest('hex');
  }
  if (!isObject(bundle)) return createHash('sha256').update(raw).digest('hex');
  const seals = new Set([EVIDENCE_SEAL_URL, EVIDENCE_SEAL_PREVIOUS_URL]);
  /** @param {any} holder */
  const strip = (holder) => {
    if (isObject(holder) && Array.isArray(holder.extension)) {
      holder.extension = holder.extension.filter(
        (/** @type {any} */ e) => !(isObject(e) && seals.has(e.url)),
      );
    }
  };
  strip(bundle.meta);
  delete bundle.id;
  delete bundle.timestamp;
  if (Array.isArray(bundle.entry)) {
    for (const entry of bundle.entry) {
      if (!isObject(entry?.resource)) continue;
      strip(entry.resource);
      delete entry.resource.date;
    }
  }
  return createHash('sha256').update(JSON.stringify(bundle), 'utf8').digest('hex');
}

/**
 * The evidence seal a report carries, or null (agents before the seal, other senders).
 * @param {any} report
 * @returns {string | null}
 */
function sealOf(report) {
  return extensionValue(report?.extension, EVIDENCE_SEAL_URL);
}

/**
 * `extension` for a transaction-response entry: the seal stored with that report.
 * @param {string | null | undefined} seal
 */
function sealExtension(seal) {
  return typeof seal === 'string' ? { extension: [{ url: EVIDENCE_SEAL_URL, valueString: seal }] } : {};
}

/** @param {any} report */
function submissionKey(report) {
  const identifier = report.identifier.find(
    (/** @type {any} */ i) => i.system === SUBMISSION_IDENTIFIER_SYSTEM,
  );
  return `${SUBMISSION_IDENTIFIER_SYSTEM}|${identifier.value}`;
}

/**
 * Rebuilds the identifier index from the stored reports (the reports are the truth; index.json is a view).
 * @param {string} reportsDir
 */
async function loadIndex(reportsDir) {
  /** @type {Map<string, { id: string, location: string, lastUpdated: string, seal: string | null }>} */
  const index = new Map();
  for (const name of (await readdir(reportsDir)).sort()) {
    if (name.endsWith('.tmp')) {
      await unlink(join(reportsDir, name)).catch(() => undefined);
      continue;
    }
    if (!name.endsWith('.json')) continue;
    const report = JSON.parse(await readFile(join(reportsDir, name), 'utf8'));
    index.set(submissionKey(report), {
      id: report.id,
      location: `MeasureReport/${report.id}/_history/${report.meta?.versionId ?? '1'}`,
      lastUpdated: report.meta?.lastUpdated,
      seal: sealOf(report),
    });
  }
  return index;
}

/**
 * Write-to-temp, fsync, rename, fsync(dir): a crash leaves the old file or the new one, never half of one.
 * @param {string} path
 * @param {string} text
 */
async function writeDurably(path, text) {
  const temp = `${path}.${randomBytes(6).toString('hex')}.tmp`;
  const handle = await open(temp, 'wx', 0o600);
  try {
    await handle.writeFile(text, 'utf8');
    await handle.sync();
  } finally {
    await handle.close();
  }
  await rename(temp, path);
  const dir = await open(join(path, '..'), 'r');
  try {
    await dir.sync().catch(() => undefined);
  } finally {
    await dir.close();
  }
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

/**
 * @param {string} code
 * @param {string} diagnostics
 * @param {string} [expression]
 * @returns {Issue}
 */
function issue(code, diagnostics, expression) {
  return expression === undefined
    ? { severity: 'error', code, diagnostics }
    : { severity: 'error', code, diagnostics, expression: [expression] };
}

/** @param {Issue[]} issues */
function outcome(issues) {
  return { resourceType: 'OperationOutcome', issue: issues };
}

/**
 * @param {unknown} value
 * @returns {value is Record<string, any>}
 */
function isObject(value) {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** @param {string | string[] | undefined} value */
function headerValue(value) {
  return Array.isArray(value) ? value[0] : value;
}

/** @param {number} ms */
function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * @param {unknown} value
 * @returns {Fault}
 */
function checkFault(value) {
  if (!isObject(value)) throw new Error('A fault must be an object');
  const known = ['status', 'retryAfter', 'delayMs', 'drop', 'dropAfterStore', 'times'];
  for (const key of Object.keys(value)) {
    if (!known.includes(key)) throw new Error(`Unknown fault property "${key}" (known: ${known.join(', ')})`);
  }
  for (const key of ['status', 'retryAfter', 'delayMs', 'times']) {
    if (value[key] !== undefined && (!Number.isInteger(value[key]) || value[key] < 0)) {
      throw new Error(`Fault property "${key}" must be a non-negative integer`);
    }
  }
  if (value.status !== undefined && (value.status < 100 || value.status > 599))
    throw new Error('Fault status must be an HTTP status');
  return { ...value };
}
