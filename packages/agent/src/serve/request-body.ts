import type { IncomingMessage } from 'node:http';
import { describeJsonSyntaxError } from '../sources/json-syntax-reason.js';
import { splitNdjsonChunks } from '../sources/ndjson-lines.js';
import { ServeError } from './serve-error.js';

/** How a body is read: NDJSON line by line as it arrives, or JSON (a Bundle, an array, a resource) whole. */
export type BodyKind = 'ndjson' | 'json';

const NDJSON_TYPES = new Set(['application/x-ndjson', 'application/ndjson', 'application/fhir+ndjson']);
const JSON_TYPES = new Set(['application/json', 'application/fhir+json']);

/** The body's kind from its `Content-Type`, or 415 naming the types taken. */
export function bodyKindOf(request: IncomingMessage): BodyKind {
  const type = (request.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  if (NDJSON_TYPES.has(type)) return 'ndjson';
  if (JSON_TYPES.has(type)) return 'json';
  throw new ServeError(
    'unsupported-media-type',
    `Content-Type ${type === '' ? '(none)' : `"${type}"`} is not taken: send application/x-ndjson (one resource per line, streamed), or application/fhir+json (a Bundle, a JSON array of resources, or one resource)`,
    { expression: 'Content-Type' },
  );
}

/**
 * The chunks of a request body. Leaving the loop early (a bad line, the limit) must not destroy the request:
 * the server still answers on its socket, after draining what the client sends (server.ts).
 */
export function bodyChunks(request: IncomingMessage): AsyncIterable<Buffer> {
  return request.iterator({ destroyOnReturn: false }) as AsyncIterable<Buffer>;
}

/** One JSON value of an NDJSON body with its line (1-based, blank lines counted). */
export interface BodyLine {
  value: unknown;
  line: number;
  byteOffset: number;
}

/**
 * The lines of an NDJSON body, parsed as they arrive by the file sources' own splitter (`splitNdjsonChunks`):
 * memory holds one chunk and one line, never the body (a size-M export is hundreds of MB). A line that is not
 * JSON ends the read with a 400 naming it (the caller's data stays with the caller: nothing was kept); passing
 * `limitBytes` ends it with a 413; a body whose reading fails rethrows that failure.
 */
export async function* ndjsonBodyLines(
  body: AsyncIterable<Buffer>,
  limitBytes: number,
): AsyncGenerator<BodyLine, void, undefined> {
  // The splitter turns a failed read into an item; a request wants it as it came, and the limit as a 413.
  let tooLarge = false;
  let readFailure: { error: unknown } | undefined;
  async function* limited(): AsyncGenerator<Buffer, void, undefined> {
    let size = 0;
    try {
      for await (const chunk of body) {
        size += chunk.length;
        if (size > limitBytes) {
          tooLarge = true;
          return;
        }
        yield chunk;
      }
    } catch (error) {
      readFailure = { error };
    }
  }
  const endedEarly = (): Error | undefined => {
    if (tooLarge) return bodyTooLarge(limitBytes);
    if (readFailure !== undefined)
      return readFailure.error instanceof Error ? readFailure.error : new Error(String(readFailure.error));
    return undefined;
  };
  const batches = splitNdjsonChunks(limited(), {
    displayName: 'request',
    unterminatedBadLine: 'problem',
  });
  for await (const batch of batches) {
    for (const item of batch) {
      if (item.kind === 'record') {
        yield { value: item.value, line: item.line ?? 0, byteOffset: item.order ?? 0 };
        continue;
      }
      const early = endedEarly();
      if (early !== undefined) throw early;
      if (item.kind === 'problem') {
        const line = item.problem.at?.line ?? 0;
        throw new ServeError('bad-request', `line ${line} is not JSON: ${item.problem.reason}`, {
          expression: `line ${line}`,
        });
      }
      throw new ServeError('bad-request', `the body could not be read: ${item.incomplete.detail}`, {
        expression: 'body',
      });
    }
  }
  const early = endedEarly();
  if (early !== undefined) throw early;
}

/**
 * A JSON body read whole (a Bundle cannot be used before its end): within `limitBytes`, then parsed. Not
 * JSON → 400 naming the position.
 */
export async function readJsonBody(body: AsyncIterable<Buffer>, limitBytes: number): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += chunk.length;
    if (size > limitBytes) throw bodyTooLarge(limitBytes);
    chunks.push(chunk);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  if (text.trim() === '') throw new ServeError('bad-request', 'the body is empty', { expression: 'body' });
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new ServeError('bad-request', `the body is not JSON: ${describeJsonSyntaxError(error)}`, {
      expression: 'body',
    });
  }
}

function bodyTooLarge(limitBytes: number): ServeError {
  return new ServeError(
    'payload-too-large',
    `the body is larger than ${limitBytes} bytes (serve.bodyLimitBytes): raise the limit (the records of one computation belong in one request: split, they would give other figures)`,
    { expression: 'body' },
  );
}
