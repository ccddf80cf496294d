import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { ndjsonBodyLines, type BodyLine } from './request-body.js';
import { ServeError } from './serve-error.js';

/** A body arriving in these chunks (as a socket delivers them). */
function chunksOf(...parts: string[]): AsyncIterable<Buffer> {
  return Readable.from(parts.map((part) => Buffer.from(part, 'utf8')));
}

async function collect(body: AsyncIterable<Buffer>, limitBytes = 1_000_000): Promise<BodyLine[]> {
  const lines: BodyLine[] = [];
  for await (const line of ndjsonBodyLines(body, limitBytes)) lines.push(line);
  return lines;
}

async function failure(body: AsyncIterable<Buffer>, limitBytes = 1_000_000): Promise<unknown> {
  try {
    await collect(body, limitBytes);
  } catch (error) {
    return error;
  }
  throw new Error('expected the read to fail');
}

describe('ndjsonBodyLines (the file sources’ splitter, read as a request body)', () => {
  it('reads lines split across chunks, CRLF, a byte order mark and blank lines, with their line and offset', async () => {
    const lines = await collect(chunksOf('\uFEFF{"a":', '1}\r\n\r\n{"b"', ':2}\n{"c":3}'));
    expect(lines.map((l) => [l.value, l.line])).toEqual([
      [{ a: 1 }, 1],
      [{ b: 2 }, 3],
      [{ c: 3 }, 4],
    ]);
    expect(lines[1]?.byteOffset).toBe(Buffer.byteLength('\uFEFF{"a":1}\r\n\r\n'));
  });

  it('a last line without newline that is not JSON is one bad line (400 naming it), not a cut file', async () => {
    const error = await failure(chunksOf('{"a":1}\n{"b":'));
    expect(error).toBeInstanceOf(ServeError);
    expect((error as ServeError).code).toBe('bad-request');
    expect((error as ServeError).expression).toBe('line 2');
    expect((error as ServeError).message).toMatch(/^line 2 is not JSON: /);
  });

  it('a body past the limit is a 413, even when its last partial line would parse', async () => {
    const error = await failure(chunksOf('{"a":1}\n', '{"b":2}\n', '{"c":3}\n'), 12);
    expect((error as ServeError).code).toBe('payload-too-large');
  });

  it('a body whose reading fails rethrows that failure, not a data error', async () => {
    const reset = Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
    const broken = new Readable({ read: () => undefined });
    broken.push(Buffer.from('{"a":1}\n{"b"'));
    setImmediate(() => broken.destroy(reset));
    expect(await failure(broken as AsyncIterable<Buffer>)).toBe(reset);
  });
});
