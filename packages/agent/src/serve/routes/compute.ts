import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  createEngine,
  isSdkError,
  SdkOptionsError,
  toMeasureReports,
  type Engine,
} from '@esms-numerique/sdk';
import { computeOptionsError, parseComputeQuery } from '../compute-query.js';
import { bodyChunks, bodyKindOf, ndjsonBodyLines, readJsonBody } from '../request-body.js';
import { FHIR_JSON, sendJson } from '../respond.js';
import type { ServeContext } from '../serve-context.js';
import { ServeError } from '../serve-error.js';
import { setNoStore } from '../csp.js';

/** How the body is named in data-quality findings' `location.input`. */
export const REQUEST_INPUT_NAME = 'request';

/**
 * `POST /compute?measureDate=D[&format=measurereport][&explain=true|FINESS]`: the results document of
 * contract §2 for the records of the body, as `esms compute` gives it for the same records. Each request
 * has its own engine (requests never share state); an NDJSON body goes into it line by line as it arrives.
 * Explanations name persons: only for a caller presenting the token.
 */
export async function handleCompute(
  request: IncomingMessage,
  response: ServerResponse,
  url: URL,
  context: ServeContext,
): Promise<void> {
  const query = parseComputeQuery(url.searchParams, context.loaded);
  if (query.explain !== null) context.auth.require(context.auth.bearer(request), 'explain');
  const kind = bodyKindOf(request);
  let engine: Engine;
  try {
    engine = createEngine(query.options);
  } catch (error) {
    if (error instanceof SdkOptionsError) throw computeOptionsError(error, url.searchParams, context.loaded);
    if (isSdkError(error)) throw new ServeError('bad-request', error.message, { cause: error });
    throw error;
  }
  let records = 0;
  if (kind === 'ndjson') {
    for await (const { value, line, byteOffset } of ndjsonBodyLines(
      bodyChunks(request),
      context.bodyLimitBytes,
    )) {
      records += 1;
      engine.add(value, { input: REQUEST_INPUT_NAME, line, order: byteOffset });
    }
  } else {
    const body = await readJsonBody(bodyChunks(request), context.bodyLimitBytes);
    // A JSON array of resources (or Bundles), or one resource or Bundle: the engine reports what it cannot use.
    const items = Array.isArray(body) ? body : [body];
    if (items.some((item) => typeof item !== 'object' || item === null || Array.isArray(item))) {
      const index = items.findIndex(
        (item) => typeof item !== 'object' || item === null || Array.isArray(item),
      );
      throw new ServeError(
        'bad-request',
        `expected a FHIR resource (a JSON object with resourceType), a Bundle, or an array of them; item ${index} is not an object`,
        { expression: Array.isArray(body) ? `[${index}]` : 'body' },
      );
    }
    items.forEach((item, index) => {
      records += 1;
      engine.add(item, { input: REQUEST_INPUT_NAME, order: index });
    });
  }
  const { results, subjects } = engine.finish();
  context.logger.info(
    { records, establishments: results.establishments.length, format: query.format },
    'computed',
  );
  if (query.format === 'measurereport') {
    const reports = toMeasureReports(results, { date: context.now().toISOString() });
    sendJson(
      response,
      200,
      {
        resourceType: 'Bundle',
        type: 'collection',
        timestamp: context.now().toISOString(),
        entry: reports.map((resource) => ({ resource })),
      },
      FHIR_JSON,
    );
    return;
  }
  if (query.explain === null) {
    sendJson(response, 200, results);
    return;
  }
  setNoStore(response);
  if (query.explain.kind === 'all') {
    sendJson(response, 200, { results, explanations: subjects });
    return;
  }
  const { finess } = query.explain;
  const explanation = subjects.find((s) => s.finess === finess);
  if (explanation === undefined)
    throw new ServeError('not-found', `no reported ESSMS has FINESS ${finess}`, {
      expression: 'explain',
    });
  sendJson(response, 200, explanation);
}
