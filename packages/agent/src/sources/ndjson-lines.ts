import { createReadStream } from 'node:fs';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { describeJsonSyntaxError } from './json-syntax-reason.js';
import { sourceAbortedError, throwIfSourceAborted } from './source-aborted.js';
import type { SourceItem } from './source.js';

/**
 * Read size for NDJSON files. Large reads keep the number of chunks (and of async iterations) low: this reading
 * is the floor of the benchmark, so everything per chunk is paid millions of times on a big export.
 */
export const NDJSON_READ_HIGH_WATER_MARK_BYTES = 1024 * 1024;

/**
 * At most this many items per batch (`readNdjsonBatches`): enough to make the async step per batch negligible,
 * few enough that the records of a batch die young (a whole 1 MiB chunk of parsed records outlived the
 * young generation and cost more in garbage collection than the async steps it saved).
 */
export const NDJSON_BATCH_MAX_ITEMS = 64;

/** zlib refuses output chunks below 64 bytes. */
const ZLIB_MIN_CHUNK_BYTES = 64;

const LINE_FEED = 0x0a;
const CARRIAGE_RETURN = 0x0d;
const SPACE = 0x20;
const TAB = 0x09;

export interface ReadNdjsonOptions {
  /** Read size in bytes (tests use a tiny one to split lines across chunks). */
  highWaterMarkBytes?: number | undefined;
  /** How the file is named in problems; the path itself by default. */
  displayName?: string | undefined;
  /**
   * Only the lines that *start* in this byte range (`end` exclusive), so that several workers can share one
   * big file: a line crossing `end` is read to its end, a line crossing `start` belongs to the range before.
   * Problems then name the byte offset of the line rather than its number. Not for gzip files.
   */
  range?: { start: number; end: number } | undefined;
  /**
   * Added to each line's byte offset to give the record's `order` (the file's place in the whole input:
   * its index in the plan × 2⁴⁰), so that every thread orders records alike. 0 by default.
   */
  orderBase?: number | undefined;
  /**
   * The number of resources a bulk manifest announces for this file (its optional `count`): a whole read that
   * finds fewer non-blank lines ends with an `incomplete` item. Not checked for a range.
   */
  declaredCount?: number | undefined;
}

/** `.gz` files are gunzipped on the fly (bulk exports are often compressed). */
export function isGzipPath(file: string): boolean {
  return file.toLowerCase().endsWith('.gz');
}

/**
 * Streams an NDJSON file (gzip when the name ends in `.gz`): one `record` item per non-blank line, parsed with
 * `JSON.parse`, with its place (file, line or byte offset, order), or a `problem` naming `file:line` (1-based,
 * counting blank lines) when a line is not JSON. The reason never holds any of the line's content. Handles
 * CRLF, a UTF-8 byte order mark, a last line without a newline, and lines split across read chunks. A line
 * that is JSON but not a FHIR resource is yielded as-is: the SDK reports it. A last line without a newline
 * that is not JSON is where the file was cut: the file ends with an `incomplete` item, not a `problem`.
 *
 * A file that cannot be opened, or whose reading fails on the way (a truncated gzip stream, a `.gz` that is not
 * gzip, an I/O error), ends with one `incomplete` item saying how far it got (`input-incomplete`): the lines
 * read before are kept; the partial line where it stopped is not.
 *
 * @throws AgentError `aborted` when `signal` aborts; the file is closed in every case.
 */
export async function* readNdjsonLines(
  file: string,
  signal?: AbortSignal,
  options: ReadNdjsonOptions = {},
): AsyncGenerator<SourceItem, void, undefined> {
  for await (const batch of readNdjsonBatches(file, signal, options)) yield* batch;
}

/**
 * `readNdjsonLines`, by arrays of up to `NDJSON_BATCH_MAX_ITEMS` items (never across read chunks) rather than one item at a time:
 * the same items in the same order, for readers that pay an async step per item otherwise (each `yield` of an
 * async generator is a promise and a microtask at every level it is delegated through, which at a million
 * records showed in the profile as much as the reading itself).
 */
export async function* readNdjsonBatches(
  file: string,
  signal?: AbortSignal,
  options: ReadNdjsonOptions = {},
): AsyncGenerator<SourceItem[], void, undefined> {
  throwIfSourceAborted(signal);
  const highWaterMark = options.highWaterMarkBytes ?? NDJSON_READ_HIGH_WATER_MARK_BYTES;
  const range = options.range;
  // A range reads from the byte before its start: if that byte ends a line, the range's first line is whole.
  const streamStart = range === undefined || range.start === 0 ? 0 : range.start - 1;
  const stream = openStream(file, highWaterMark, streamStart);
  const onAbort = (): void => {
    stream.destroy(sourceAbortedError(signal));
  };
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    yield* splitNdjsonChunks(stream as AsyncIterable<Buffer>, {
      ...options,
      displayName: options.displayName ?? file,
      streamStart,
      gzip: isGzipPath(file),
      signal,
    });
  } finally {
    signal?.removeEventListener('abort', onAbort);
    stream.destroy();
  }
}

/** What `splitNdjsonChunks` needs besides `ReadNdjsonOptions`. */
export interface SplitNdjsonOptions extends ReadNdjsonOptions {
  displayName: string;
  /** The absolute byte offset of the first chunk (a range's reader starts one byte before the range). */
  streamStart?: number | undefined;
  /** The chunks are a gunzipped `.gz` file (read failures are then described as gzip's). */
  gzip?: boolean | undefined;
  signal?: AbortSignal | undefined;
  /**
   * A last line without its newline that is not JSON: for a file, where it was cut (`incomplete`, the default);
   * for a body whose end the transport vouches for (an HTTP request), one bad line like any other (`problem`).
   */
  unterminatedBadLine?: 'incomplete' | 'problem' | undefined;
}

/**
 * The splitting and parsing of NDJSON chunks, whatever they come from (a file, a request body): one place that
 * knows lines split across chunks, CRLF, the byte order mark, blank lines, byte ranges and how a read ends.
 * Yields the items of `readNdjsonBatches`.
 */
export async function* splitNdjsonChunks(
  chunks: AsyncIterable<Buffer>,
  options: SplitNdjsonOptions,
): AsyncGenerator<SourceItem[], void, undefined> {
  const { displayName, range, signal } = options;
  const streamStart = options.streamStart ?? 0;

  // Bytes of a line that started in an earlier chunk; concatenated once when its end arrives, so a long line
  // spread over many chunks costs one copy.
  let carried: Buffer[] = [];
  let lineNumber = 0;
  // Ranged reads: absolute offset of the current chunk and of the line being carried, and whether the
  // partial line before the range is still being skipped.
  let chunkOffset = streamStart;
  let carriedOffset = streamStart;
  let skipping = range !== undefined && range.start > 0;
  const end = range?.end ?? Number.POSITIVE_INFINITY;
  const where = (offset: number): string =>
    range === undefined ? `${displayName}:${lineNumber}` : `${displayName} (line at byte ${offset})`;
  const orderBase = options.orderBase ?? 0;
  // Each record's item carries its place: the file and its line (read whole) or the byte offset of the line
  // (a range shared between threads), and its order in the whole input. Built in one object literal: this
  // runs for every line.
  const place: Place =
    range === undefined
      ? {
          record: (value, offset) => ({
            kind: 'record',
            value,
            input: displayName,
            line: lineNumber,
            order: orderBase + offset,
          }),
          at: () => ({ input: displayName, line: lineNumber }),
        }
      : {
          record: (value, offset) => ({
            kind: 'record',
            value,
            input: displayName,
            byteOffset: offset,
            order: orderBase + offset,
          }),
          at: (offset) => ({ input: displayName, byteOffset: offset }),
        };
  let complete = streamStart;
  // The items of the chunk being split, yielded when it is done.
  let batch: SourceItem[] = [];
  // Lines that held something (records and bad lines): the resources a bulk manifest's `count` announces.
  let nonBlank = 0;
  const declaredCount = options.declaredCount;
  try {
    for await (const chunk of chunks) {
      const base = chunkOffset;
      chunkOffset += chunk.length;
      let start = 0;
      let newline = chunk.indexOf(LINE_FEED);
      if (skipping) {
        if (newline === -1) continue;
        skipping = false;
        start = newline + 1;
        newline = chunk.indexOf(LINE_FEED, start);
      }
      if (carried.length > 0) {
        if (newline === -1) {
          carried.push(chunk);
          continue;
        }
        carried.push(chunk.subarray(0, newline));
        const line = Buffer.concat(carried);
        carried = [];
        lineNumber += 1;
        const item = parseLine(line, 0, line.length, carriedOffset, where, place);
        if (item !== undefined) {
          nonBlank += 1;
          batch.push(item);
        }
        start = newline + 1;
        complete = base + start;
        newline = chunk.indexOf(LINE_FEED, start);
      }
      while (newline !== -1) {
        if (base + start >= end) break;
        lineNumber += 1;
        const item = parseLine(chunk, start, newline, base + start, where, place);
        if (item !== undefined) {
          nonBlank += 1;
          batch.push(item);
          if (batch.length >= NDJSON_BATCH_MAX_ITEMS) {
            yield batch;
            batch = [];
          }
        }
        start = newline + 1;
        complete = base + start;
        newline = chunk.indexOf(LINE_FEED, start);
      }
      if (batch.length > 0) {
        yield batch;
        batch = [];
      }
      // The range ends here: the lines after it belong to the next reader.
      if (base + start >= end) return;
      if (start < chunk.length) {
        if (carried.length === 0) carriedOffset = base + start;
        carried.push(chunk.subarray(start));
      }
    }
    if (carried.length > 0) {
      const line = Buffer.concat(carried);
      carried = [];
      lineNumber += 1;
      const item = parseLine(line, 0, line.length, carriedOffset, where, place);
      if (item?.kind === 'problem' && options.unterminatedBadLine !== 'problem') {
        // A last line without its newline that is not JSON is where the file was cut (a copy or an export
        // that stopped): the file is incomplete, not one bad record (issue 9 §2). A bad line followed by a
        // newline stays a bad record.
        yield [
          {
            kind: 'incomplete',
            incomplete: {
              input: displayName,
              reason: 'truncated',
              detail: 'the last line has no newline and is not valid JSON: the file was cut',
              read:
                range === undefined
                  ? { lines: lineNumber - 1, bytes: complete }
                  : { bytes: complete - streamStart },
            },
          },
        ];
        return;
      }
      if (item !== undefined) {
        nonBlank += 1;
        yield [item];
      }
    }
    if (declaredCount !== undefined && range === undefined && nonBlank < declaredCount) {
      yield [
        {
          kind: 'incomplete',
          incomplete: {
            input: displayName,
            reason: 'fewer-than-declared',
            detail: `the bulk manifest declares ${declaredCount} resources, the file holds ${nonBlank}`,
            read: { lines: lineNumber, bytes: complete },
          },
        },
      ];
    }
  } catch (error) {
    if (signal?.aborted === true) throw sourceAbortedError(signal);
    // The lines read so far are kept (yielded, or in this last batch); the read could not go on to the end.
    yield [
      ...batch,
      {
        kind: 'incomplete',
        incomplete: {
          input: displayName,
          ...describeReadFailure(error, options.gzip === true),
          read:
            range === undefined ? { lines: lineNumber, bytes: complete } : { bytes: complete - streamStart },
        },
      },
    ];
  }
}

function openStream(file: string, highWaterMark: number, start: number): Readable {
  const fileStream = createReadStream(file, { highWaterMark, start });
  if (!isGzipPath(file)) return fileStream;
  const gunzip = createGunzip({ chunkSize: Math.max(ZLIB_MIN_CHUNK_BYTES, highWaterMark) });
  // pipeline forwards a read error of the file to the gunzip stream, whose iteration then throws it.
  pipeline(fileStream, gunzip, () => undefined);
  return gunzip;
}

/** How a line's record item and problem place are written (by line number, or by byte offset). */
interface Place {
  record(value: unknown, offset: number): SourceItem;
  at(offset: number): { input: string; line?: number; byteOffset?: number };
}

/** Parses `buffer[start, end)`, or returns undefined for a blank line. */
function parseLine(
  buffer: Buffer,
  start: number,
  end: number,
  offset: number,
  where: (offset: number) => string,
  place: Place,
): SourceItem | undefined {
  if (end > start && buffer[end - 1] === CARRIAGE_RETURN) end -= 1;
  if (
    offset === 0 &&
    end - start >= 3 &&
    buffer[start] === 0xef &&
    buffer[start + 1] === 0xbb &&
    buffer[start + 2] === 0xbf
  ) {
    start += 3;
  }
  if (isBlank(buffer, start, end)) return undefined;
  try {
    return place.record(JSON.parse(buffer.toString('utf8', start, end)) as unknown, offset);
  } catch (error) {
    return {
      kind: 'problem',
      problem: { location: where(offset), reason: describeJsonSyntaxError(error), at: place.at(offset) },
    };
  }
}

function isBlank(buffer: Buffer, start: number, end: number): boolean {
  for (let index = start; index < end; index += 1) {
    const byte = buffer[index];
    if (byte !== SPACE && byte !== TAB && byte !== CARRIAGE_RETURN) return false;
  }
  return true;
}

/** Why a read failed, from the fs or zlib error (whose codes and messages never hold the file's content). */
function describeReadFailure(
  error: unknown,
  gzip: boolean,
): { reason: 'truncated' | 'not-gzip' | 'unreadable'; detail: string } {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  const message = error instanceof Error ? error.message : 'read failed';
  const what = code === undefined ? message : `${code}: ${message}`;
  if (gzip && code === 'Z_BUF_ERROR')
    return { reason: 'truncated', detail: `the gzip stream ends early (${what})` };
  if (gzip && code !== undefined && code.startsWith('Z_'))
    return { reason: 'not-gzip', detail: `not a valid gzip file (${what})` };
  if (code === 'ENOENT' || code === 'EACCES' || code === 'EPERM' || code === 'EISDIR')
    return { reason: 'unreadable', detail: `cannot be read (${what})` };
  return { reason: 'truncated', detail: `reading failed (${what})` };
}
