import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { recomputeFromProjection, type Fact as SdkFact } from '@esms-numerique/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBlobWriter, readBlob } from '../evidence/blobs.js';
import { decodeColumnar } from '../evidence/projection-codec.js';
import { createProjectionWriter } from '../evidence/projection-writer.js';
import { createFileSource } from '../sources/file-source.js';
import { computeFromSources } from './compute-from-source.js';

const FIXTURE = new URL('../sources/__fixtures__/dui-small-ndjson/', import.meta.url).pathname;
const OPTIONS = { measureDate: '2024-04-01' } as const;
const SECRET = Buffer.alloc(32, 5);

let dir: string;
let store: string;
beforeAll(async () => {
  // The fixture with a bad line in the middle of a slice, and duplicate records (one Type/id twice: the
  // latest meta.lastUpdated wins): an older version of sej-2 just after it and a later, cancelled one at
  // the end. The projection must keep which record each fact belongs to across kinds.
  dir = await mkdtemp(join(tmpdir(), 'esms-projection-threads-'));
  store = await mkdtemp(join(tmpdir(), 'esms-projection-store-'));
  for (const type of ['Organization', 'Patient', 'Encounter', 'EpisodeOfCare', 'Appointment', 'CarePlan']) {
    const text = await readFile(join(FIXTURE, `${type}.000.ndjson`), 'utf8').catch(() => null);
    if (text === null) continue;
    const lines = text.split('\n').filter((l) => l.length > 0);
    if (type === 'Encounter') {
      const sej2 = lines.findIndex((l) => l.includes('"id":"sej-2"'));
      expect(sej2).toBeGreaterThanOrEqual(0);
      const original = lines[sej2] as string;
      const older = original.replace(/"lastUpdated":"[^"]*"/, '"lastUpdated":"2023-01-01T00:00:00Z"');
      const cancelled = original
        .replace(/"lastUpdated":"[^"]*"/, '"lastUpdated":"2024-06-01T00:00:00Z"')
        .replace(/"status":"[^"]*"/, '"status":"cancelled"');
      lines.splice(sej2 + 1, 0, older);
      lines.push(cancelled);
      lines.splice(Math.floor(lines.length / 2), 0, '{"resourceType": "Encounter", oops');
    }
    await writeFile(join(dir, `${type}.000.ndjson`), `${lines.join('\n')}\n`);
  }
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
  await rm(store, { recursive: true, force: true });
});

async function sealedProjection(readerThreads: number, sliceBytes?: number) {
  const writer = createProjectionWriter({ createBlobWriter: () => createBlobWriter(store) });
  const computed = await computeFromSources([createFileSource({ paths: [dir] })], OPTIONS, {
    readerThreads,
    ...(sliceBytes === undefined ? {} : { sliceBytes }),
    projection: {
      pseudonymSecret: SECRET,
      sealedInputRoots: [dir],
      write: (fact) => writer.write(fact),
      appendSegment: (segment) => writer.appendSegment(segment),
    },
  });
  return { computed, blob: await writer.finish() };
}

function linesOf(text: string): AsyncIterable<string> {
  const lines = text.split('\n');
  return {
    [Symbol.asyncIterator]: () => {
      let i = 0;
      return {
        next: () =>
          Promise.resolve(
            i < lines.length
              ? { done: false as const, value: lines[i++] as string }
              : { done: true as const, value: undefined },
          ),
      };
    },
  };
}

describe('the projection built by the reader threads', () => {
  it('has the same bytes with one thread and with three, and recomputes the same figures', async () => {
    const one = await sealedProjection(1, 300);
    const three = await sealedProjection(3, 300);
    expect(three.blob).toEqual(one.blob);
    expect(three.computed.computation.results).toEqual(one.computed.computation.results);
    expect(one.blob.count).toBeGreaterThan(one.computed.recordsRead);
    const text = (await readBlob(store, one.blob.digest, 1 << 24)).toString('utf8');
    expect(text.split('\n', 1)[0]).toBe('{"format":"esms-columnar-3"}');
    const facts: SdkFact[] = [];
    for await (const fact of decodeColumnar(linesOf(text))) facts.push(fact as unknown as SdkFact);
    expect(facts.length).toBe(one.blob.count);
    // Every kind of fact crosses: records, séjours, the bad line's problem, and the time forms summed once.
    const kinds = new Set(facts.map((f) => f.k));
    for (const kind of ['record', 'sejour', 'patient', 'organisation', 'problem'])
      expect(kinds).toContain(kind);
    const recomputed = await recomputeFromProjection(facts, OPTIONS);
    const rates = (r: typeof recomputed.results) =>
      r.establishments.map((e) => [
        e.finess,
        e.indicators['taux-dossiers-actifs'],
        e.indicators['taux-mssante'],
      ]);
    expect(rates(recomputed.results)).toEqual(rates(one.computed.computation.results));
    expect(recomputed.results.establishments).toEqual(one.computed.computation.results.establishments);
  });

  it('is cut by the input alone: other slice sizes give other segments, never other figures', async () => {
    const whole = await sealedProjection(2);
    const sliced = await sealedProjection(2, 300);
    const rates = (c: typeof whole) => c.computed.computation.results.establishments.map((e) => e.indicators);
    expect(rates(sliced)).toEqual(rates(whole));
    expect(sliced.blob.count).toBe(whole.blob.count);
    expect(sliced.blob.digest).not.toBe(whole.blob.digest);
  });
});
