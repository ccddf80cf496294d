/**
 * How the verify threads share a columnar projection out without talking to each other: by byte ranges of
 * its text, each starting at a block that empties the dictionary (so it decodes alone). The main thread
 * and each worker read the same bytes and find the same cuts.
 */
import { createReadStream } from 'node:fs';
import type { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import type { OffsetLine } from './text-lines.js';

/** Bytes read from the blob file at a time, and inflated at a time: a projection is tens of MB at L. */
export const PROJECTION_READ_CHUNK_BYTES = 1024 * 1024;
export const PROJECTION_INFLATE_CHUNK_BYTES = 256 * 1024;

/**
 * A projection blob's bytes, as `openBlobFile` gives them, in larger chunks: at L the default 16 kB
 * inflate chunks cost 0.35 s more CPU per pass (6 767 chunks instead of 423), and verify makes one pass
 * per thread.
 */
export function openProjectionBlob(location: { path: string; compressed: boolean }): Readable {
  const file = createReadStream(location.path, { highWaterMark: PROJECTION_READ_CHUNK_BYTES });
  if (!location.compressed) return file;
  const gunzip = createGunzip({ chunkSize: PROJECTION_INFLATE_CHUNK_BYTES });
  file.on('error', (error) => gunzip.destroy(error));
  return file.pipe(gunzip);
}

const COUNT_PREFIX = Buffer.from('{"n":');
const RESET_PREFIX = Buffer.from('"reset":true,');

/**
 * Whether a line starts `{"n":DIGITS,"reset":true,` as the encoder writes a block that empties the
 * dictionary. Only a hint: the worker checks the parsed block (a forged line may say `reset` twice).
 */
export function startsDictionary(line: Uint8Array): boolean {
  if (line.byteLength < COUNT_PREFIX.length + 2 + RESET_PREFIX.length) return false;
  for (let i = 0; i < COUNT_PREFIX.length; i++) if (line[i] !== COUNT_PREFIX[i]) return false;
  let at = COUNT_PREFIX.length;
  while (at < line.byteLength && line[at]! >= 0x30 && line[at]! <= 0x39) at++;
  if (at === COUNT_PREFIX.length || line[at] !== 0x2c) return false;
  at += 1;
  if (at + RESET_PREFIX.length > line.byteLength) return false;
  for (let i = 0; i < RESET_PREFIX.length; i++) if (line[at + i] !== RESET_PREFIX[i]) return false;
  return true;
}

/**
 * The share of the text the main thread decodes, against 1 for each worker: it also inflates and hashes the
 * whole blob, merges the workers' states and computes the figures (a profile at L: about a third more work).
 */
export const MAIN_RANGE_WEIGHT = 2 / 3;

/** Where range `k` (1 … threads − 1) may start: the byte offset of its share of the text. */
export function rangeStart(k: number, bytes: number, threads: number): number {
  return Math.ceil((bytes * (MAIN_RANGE_WEIGHT + k - 1)) / (MAIN_RANGE_WEIGHT + threads - 1));
}

/**
 * Which range (0 … threads − 1) the lines from here on belong to, given the range of the line before:
 * a line that starts a dictionary at or after `rangeStart(k)` begins range k (the last such k).
 */
export function rangeOf(line: OffsetLine, previous: number, bytes: number, threads: number): number {
  if (line.number < 2 || previous >= threads - 1 || !startsDictionary(line.bytes)) return previous;
  let range = previous;
  while (range + 1 < threads && line.offset >= rangeStart(range + 1, bytes, threads)) range += 1;
  return range;
}
