import type { IncomingMessage } from 'node:http';
import { describeJsonSyntaxError } from '../sources/json-syntax-reason.js';
import { ServeError } from './serve-error.js';

const LINE_FEED = 0x0a;

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
 * The lines of an NDJSON body, parsed as they arrive: memory holds one chunk and one line, never the body
 * (a size-M export is hundreds of MB). A line that is not JSON ends the read with a 400 naming it (the
 * caller's data stays with the caller: nothing was kept); passing `limitBytes` ends it with a 413.
 */
export async function* ndjsonBodyLines(
  body: AsyncIterable<Buffer>,
  limitBytes: number,
): AsyncGenerator<BodyLine, void, undefined> {
  let carried: Buffer[] = [];
  let carriedStart = 0;
  let line = 0;
  let offset = 0;
  const parse = (buffer: Buffer, start: number, end: number, at: number): BodyLine | undefined => {
    line += 1;
    if (end > start && buffer[end - 1] === 0x0d) end -= 1;
    // A UTF-8 byte order mark at the very start (some Windows tools write one).
    if (at === 0 && buffer[start] === 0xef && buffer[start + 1] === 0xbb && buffer[start + 2] === 0xbf)
      start += 3;
    const text = buffer.toString('utf8', start, end);
    if (text.trim() === '') return undefined;
    try {
      return { value: JSON.parse(text) as unknown, line, byteOffset: at };
    } catch (error) {
      throw new ServeError('bad-request', `line ${line} is not JSON: ${describeJsonSyntaxError(error)}`, {
        expression: `line ${line}`,
      });
    }
  };
  for await (const chunk of body) {
    const base = offset;
    offset += chunk.length;
    if (offset > limitBytes) throw bodyTooLarge(limitBytes);
    let start = 0;
    let newline = chunk.indexOf(LINE_FEED);
    if (carried.length > 0) {
      if (newline === -1) {
        carried.push(chunk);
        continue;
      }
      carried.push(chunk.subarray(0, newline));
      const whole = Buffer.concat(carried);
      carried = [];
      const parsed = parse(whole, 0, whole.length, carriedStart);
      if (parsed !== undefined) yield parsed;
      start = newline + 1;
      newline = chunk.indexOf(LINE_FEED, start);
    }
    while (newline !== -1) {
      const parsed = parse(chunk, start, newline, base + start);
      if (parsed !== undefined) yield parsed;
      start = newline + 1;
      newline = chunk.indexOf(LINE_FEED, start);
    }
    if (start < chunk.length) {
      carriedStart = base + start;
      carried.push(chunk.subarray(start));
    }
  }
  if (carried.length > 0) {
    const whole = Buffer.concat(carried);
    const parsed = parse(whole, 0, whole.length, carriedStart);
    if (parsed !== undefined) yield parsed;
  }
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
