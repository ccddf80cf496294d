import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isAgentError } from '../errors.js';
import { readNdjsonBatches, readNdjsonLines } from './ndjson-lines.js';
import type { SourceItem } from './source.js';

let directory: string;
beforeEach(async () => {
  directory = await mkdtemp(path.join(tmpdir(), 'esms-ndjson-'));
});
afterEach(async () => {
  await rm(directory, { recursive: true, force: true });
});

async function collect(items: AsyncIterable<SourceItem>): Promise<SourceItem[]> {
  const out: SourceItem[] = [];
  for await (const item of items) out.push(item);
  return out;
}

async function fileWith(name: string, content: string | Buffer): Promise<string> {
  const file = path.join(directory, name);
  await writeFile(file, content);
  return file;
}

const values = (items: SourceItem[]): unknown[] =>
  items.map((item) => (item.kind === 'record' ? item.value : item));

describe('readNdjsonLines', () => {
  it('reads CRLF lines, a BOM, blank lines and a last line without a newline', async () => {
    const content = '\uFEFF{"id":"a"}\r\n\r\n   \r\n{"id":"b"}\r\n\n{"id":"c"}';
    const file = await fileWith('Patient.000.ndjson', content);
    expect(values(await collect(readNdjsonLines(file)))).toEqual([{ id: 'a' }, { id: 'b' }, { id: 'c' }]);
  });

  it('reassembles lines split across chunks, multi-byte characters included, whatever the chunk size', async () => {
    const lines = [
      { resourceType: 'Organization', name: 'Établissement « Les Hibiscus » – Saint-Denis' },
      { resourceType: 'Patient', id: 'p'.repeat(300) },
      { resourceType: 'Encounter', id: 'e1' },
    ];
    const file = await fileWith(
      'Mixed.ndjson',
      '\uFEFF' + lines.map((line) => JSON.stringify(line)).join('\r\n') + '\n',
    );
    for (const highWaterMarkBytes of [1, 2, 3, 5, 7, 64, 1024]) {
      expect(values(await collect(readNdjsonLines(file, undefined, { highWaterMarkBytes })))).toEqual(lines);
    }
  });

  it('reports a bad line with file:line and the kind of error, never its content, and goes on', async () => {
    const secret = 'DUPONT Jean né le 01/02/1950';
    const badLine = `{"name":"${secret}" "x":1}`;
    const content = ['{"id":"1"}', '', badLine, secret, '{"id":"5"', '{"id":"6"}'].join('\n');
    const file = await fileWith('Patient.000.ndjson', content);
    const items = await collect(readNdjsonLines(file, undefined, { displayName: 'Patient.000.ndjson' }));
    const at = (line: number) => ({ input: 'Patient.000.ndjson', line });
    expect(items).toEqual([
      { kind: 'record', value: { id: '1' }, ...at(1), order: 0 },
      {
        kind: 'problem',
        problem: {
          location: 'Patient.000.ndjson:3',
          reason: `invalid JSON (Expected ',' or '}' after property value at position ${badLine.indexOf(' "x"') + 1})`,
          at: at(3),
        },
      },
      {
        kind: 'problem',
        problem: { location: 'Patient.000.ndjson:4', reason: 'invalid JSON (Unexpected token)', at: at(4) },
      },
      {
        kind: 'problem',
        problem: {
          location: 'Patient.000.ndjson:5',
          reason: "invalid JSON (Expected ',' or '}' after property value at position 9)",
          at: at(5),
        },
      },
      {
        kind: 'record',
        value: { id: '6' },
        ...at(6),
        order: Buffer.byteLength(content.slice(0, content.lastIndexOf('{"id":"6"}'))),
      },
    ]);
    const text = JSON.stringify(items);
    for (const fragment of ['DUPONT', 'Jean', '1950', '"D"']) expect(text).not.toContain(fragment);
  });

  it('a last line without its newline that is not JSON is where the file was cut: incomplete (audit G1)', async () => {
    const content = '{"id":"1"}\n{"id":"2"}\n{"id":"3","na';
    const file = await fileWith('Patient.000.ndjson', content);
    for (const highWaterMarkBytes of [1, 4, 1024]) {
      const items = await collect(readNdjsonLines(file, undefined, { highWaterMarkBytes }));
      expect(values(items)).toEqual([
        { id: '1' },
        { id: '2' },
        {
          kind: 'incomplete',
          incomplete: {
            input: file,
            reason: 'truncated',
            detail: 'the last line has no newline and is not valid JSON: the file was cut',
            read: { lines: 2, bytes: 22 },
          },
        },
      ]);
    }
    // Read as byte ranges (threads), only the range holding the end sees the cut line.
    const ranged = await collect(
      readNdjsonLines(file, undefined, { range: { start: 11, end: content.length } }),
    );
    expect(ranged.map((item) => item.kind)).toEqual(['record', 'incomplete']);
  });

  it('yields JSON that is not a resource as it is (the SDK reports it)', async () => {
    const file = await fileWith('log.ndjson', '{"eventId":"kickoff"}\n42\n');
    expect(values(await collect(readNdjsonLines(file)))).toEqual([{ eventId: 'kickoff' }, 42]);
  });

  it('gunzips .ndjson.gz files', async () => {
    const rows = Array.from({ length: 500 }, (_, index) => ({ resourceType: 'Patient', id: `p${index}` }));
    const file = await fileWith(
      'Patient.000.ndjson.gz',
      gzipSync(rows.map((row) => JSON.stringify(row)).join('\n')),
    );
    expect(values(await collect(readNdjsonLines(file, undefined, { highWaterMarkBytes: 100 })))).toEqual(
      rows,
    );
  });

  it('a file missing or not gzip ends with an incomplete item naming it (input-incomplete), nothing thrown', async () => {
    const missing = path.join(directory, 'Missing.ndjson');
    const [item, ...rest] = await collect(readNdjsonLines(missing));
    expect(rest).toEqual([]);
    expect(item?.kind === 'incomplete' && item.incomplete).toMatchObject({
      input: missing,
      reason: 'unreadable',
      read: { lines: 0, bytes: 0 },
    });
    expect(item?.kind === 'incomplete' && item.incomplete.detail).toMatch(/^cannot be read \(ENOENT/);
    const notGzip = await fileWith('Patient.ndjson.gz', '{"id":"x"}\n');
    expect(await collect(readNdjsonLines(notGzip))).toEqual([
      {
        kind: 'incomplete',
        incomplete: expect.objectContaining({
          input: notGzip,
          reason: 'not-gzip',
          read: { lines: 0, bytes: 0 },
        }) as unknown,
      },
    ]);
  });

  it('a truncated .ndjson.gz keeps the lines read and ends with how far it got', async () => {
    const rows = Array.from({ length: 2000 }, (_, index) =>
      JSON.stringify({ resourceType: 'Patient', id: `p${index}` }),
    );
    const whole = gzipSync(rows.join('\n') + '\n');
    const file = await fileWith('Patient.000.ndjson.gz', whole.subarray(0, Math.floor(whole.length / 2)));
    const items = await collect(readNdjsonLines(file, undefined, { highWaterMarkBytes: 256 }));
    const last = items.at(-1);
    const records = items.filter((i) => i.kind === 'record');
    expect(records.length).toBeGreaterThan(0);
    expect(records.length).toBeLessThan(rows.length);
    expect(records.map((r) => (r.kind === 'record' ? r.value : null))).toEqual(
      rows.slice(0, records.length).map((r) => JSON.parse(r) as unknown),
    );
    expect(last?.kind === 'incomplete' && last.incomplete).toMatchObject({
      input: file,
      reason: 'truncated',
      // The partial line where it stopped is not counted.
      read: { lines: records.length, bytes: rows.slice(0, records.length).join('\n').length + 1 },
    });
    expect(last?.kind === 'incomplete' && last.incomplete.detail).toMatch(
      /^the gzip stream ends early \(Z_BUF_ERROR/,
    );
  });

  it('stops with an aborted error when the signal aborts, and closes the file', async () => {
    const file = await fileWith(
      'Patient.ndjson',
      Array.from({ length: 50 }, (_, i) => `{"id":${i}}`).join('\n'),
    );
    const controller = new AbortController();
    const seen: SourceItem[] = [];
    const error = await (async () => {
      for await (const item of readNdjsonLines(file, controller.signal, { highWaterMarkBytes: 16 })) {
        seen.push(item);
        if (seen.length === 3) controller.abort();
      }
    })().catch((caught: unknown) => caught);
    expect(isAgentError(error) && error.code === 'aborted').toBe(true);
    expect(seen.length).toBeLessThan(50);
  });
});

describe('readNdjsonLines over byte ranges', () => {
  const lines = [
    '{"resourceType":"Patient","id":"a"}',
    '',
    '{"resourceType":"Patient","id":"bb"}\r',
    '{not json',
    '{"resourceType":"Patient","id":"ccc","note":"' + 'x'.repeat(40) + '"}',
    '{"resourceType":"Patient","id":"d"}',
  ];
  const content = `${lines.join('\n')}\n{"resourceType":"Patient","id":"last-without-newline"}`;

  async function readRange(
    file: string,
    start: number,
    end: number,
    highWaterMarkBytes: number,
  ): Promise<string[]> {
    const out: string[] = [];
    for await (const item of readNdjsonLines(file, undefined, {
      range: { start, end },
      highWaterMarkBytes,
    })) {
      out.push(
        item.kind === 'record'
          ? String((item.value as { id: string }).id)
          : item.kind === 'problem'
            ? `problem@${item.problem.location}`
            : `incomplete@${item.incomplete.input}`,
      );
    }
    return out;
  }

  it('splitting a file at any byte into two ranges yields every line exactly once', async () => {
    const file = await fileWith('ranges.ndjson', content);
    const size = Buffer.byteLength(content);
    const whole = await readRange(file, 0, size, 1024);
    expect(whole.filter((x) => !x.startsWith('problem'))).toEqual([
      'a',
      'bb',
      'ccc',
      'd',
      'last-without-newline',
    ]);
    for (let cut = 0; cut <= size; cut++) {
      for (const highWaterMarkBytes of [7, 64]) {
        const parts = [
          ...(await readRange(file, 0, cut, highWaterMarkBytes)),
          ...(await readRange(file, cut, size, highWaterMarkBytes)),
        ];
        expect(parts.map((x) => (x.startsWith('problem') ? 'problem' : x))).toEqual(
          whole.map((x) => (x.startsWith('problem') ? 'problem' : x)),
        );
      }
    }
  });

  it('names a bad line by its byte offset, never its content', async () => {
    const file = await fileWith('ranges-bad.ndjson', content);
    const offset = content.indexOf('{not json');
    const items = await readRange(file, 10, Buffer.byteLength(content), 16);
    expect(items).toContain(`problem@${file} (line at byte ${offset})`);
  });
});

describe('readNdjsonBatches', () => {
  it('yields the items of readNdjsonLines, in order, one array per read chunk (issue 13: an async step per chunk)', async () => {
    const lines = Array.from({ length: 50 }, (_, i) =>
      i % 7 === 3 ? '{not json' : i % 11 === 5 ? '' : `{"resourceType":"Patient","id":"p${i}"}`,
    );
    const content = `${lines.join('\n')}\n{"resourceType":"Patient","id":"last"}`;
    const file = await fileWith('batches.ndjson', content);
    const size = Buffer.byteLength(content);
    for (const highWaterMarkBytes of [7, 64, 1024]) {
      for (const range of [undefined, { start: 0, end: size }, { start: 100, end: 700 }]) {
        const options = { highWaterMarkBytes, range };
        const batches: SourceItem[][] = [];
        for await (const batch of readNdjsonBatches(file, undefined, options)) batches.push(batch);
        expect(batches.flat()).toEqual(await collect(readNdjsonLines(file, undefined, options)));
        expect(batches.every((batch) => batch.length > 0)).toBe(true);
        // A chunk holding many lines gives them in one array: far fewer arrays than items.
        if (highWaterMarkBytes === 1024) expect(batches.length).toBeLessThan(batches.flat().length / 4);
      }
    }
  });

  it('a read that fails keeps the items before it, then says how far it got', async () => {
    const file = await fileWith('cut.ndjson.gz', gzipSync('{"id":"a"}\n{"id":"b"}\n').subarray(0, 20));
    const items = (await collect(readNdjsonLines(file))).map((item) => item.kind);
    const batches: SourceItem[][] = [];
    for await (const batch of readNdjsonBatches(file)) batches.push(batch);
    expect(batches.flat().map((item) => item.kind)).toEqual(items);
    expect(items.at(-1)).toBe('incomplete');
  });
});
