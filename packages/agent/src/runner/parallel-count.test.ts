import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createEngine } from '@esms-numerique/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFileSource } from '../sources/file-source.js';
import { computeFromSources } from './compute-from-source.js';
import { SILENT_PROGRESS } from '../progress/progress-observer.js';
import { countFilesInParallel } from './parallel-count.js';

const FIXTURE = new URL('../sources/__fixtures__/dui-small-ndjson/', import.meta.url).pathname;
const OPTIONS = { measureDate: '2024-04-01' } as const;

let dir: string;
beforeAll(async () => {
  // The fixture plus a bad line in the middle of a slice, to check problems cross threads too.
  dir = await mkdtemp(join(tmpdir(), 'esms-parallel-'));
  for (const type of [
    'Organization',
    'Patient',
    'Encounter',
    'EpisodeOfCare',
    'Appointment',
    'CarePlan',
    'AuditEvent',
  ]) {
    const text = await readFile(join(FIXTURE, `${type}.000.ndjson`), 'utf8').catch(() => null);
    if (text === null) continue;
    const lines = text.split('\n').filter((l) => l.length > 0);
    if (type === 'Encounter')
      lines.splice(Math.floor(lines.length / 2), 0, '{"resourceType": "Encounter", oops');
    await writeFile(join(dir, `${type}.000.ndjson`), `${lines.join('\n')}\n`);
  }
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('counting local files with worker threads', () => {
  it('gives exactly the results of one engine reading everything, slices and bad lines included', async () => {
    const sequential = await computeFromSources([createFileSource({ paths: [dir] })], OPTIONS, {
      readerThreads: 1,
    });
    const engine = createEngine(OPTIONS);
    // Tiny slices: every file is cut into many byte ranges shared by this thread and two workers.
    const read = await countFilesInParallel([dir], engine, {
      workers: 3,
      computeOptions: OPTIONS,
      sliceBytes: 700,
    });
    const parallel = engine.finish();
    expect(read.records).toBe(sequential.recordsRead);
    expect(read.problems).toBe(1);
    // A bad line is named by its line number when a file is read whole, by its byte offset in a slice.
    const where = (results: typeof parallel.results): typeof parallel.results => ({
      ...results,
      dataQuality: {
        ...results.dataQuality,
        errors: results.dataQuality.errors.map((e) =>
          e.code === 'unreadable-input'
            ? { ...e, id: (e.id ?? '').replace(/(:\d+| \(line at byte \d+\))$/, '') }
            : e,
        ),
      },
    });
    expect(parallel.results.dataQuality.errors.find((e) => e.code === 'unreadable-input')?.id).toMatch(
      /Encounter\.000\.ndjson \(line at byte \d+\)$/,
    );
    expect(where(parallel.results)).toEqual(where(sequential.computation.results));
    expect(parallel.subjects).toEqual(sequential.computation.subjects);
    expect(parallel.results.establishments.length).toBeGreaterThan(0);
  });

  it('reports every record to the progress observer by type, those the worker threads read included', async () => {
    const tally = (): {
      counter: { recordsRead: (type: string, n: number) => void };
      byType: Map<string, number>;
    } => {
      const byType = new Map<string, number>();
      return { byType, counter: { recordsRead: (type, n) => byType.set(type, (byType.get(type) ?? 0) + n) } };
    };
    const sequential = tally();
    const one = await computeFromSources([createFileSource({ paths: [dir] })], OPTIONS, {
      readerThreads: 1,
      progress: { ...SILENT_PROGRESS, recordsRead: sequential.counter.recordsRead },
    });
    const parallel = tally();
    const read = await countFilesInParallel([dir], createEngine(OPTIONS), {
      workers: 3,
      computeOptions: OPTIONS,
      sliceBytes: 700,
      progress: parallel.counter,
    });
    expect(read.records).toBe(one.recordsRead);
    expect([...parallel.byType.values()].reduce((a, b) => a + b, 0)).toBe(read.records);
    expect(Object.fromEntries(parallel.byType)).toEqual(Object.fromEntries(sequential.byType));
    expect(parallel.byType.get('Encounter')).toBeGreaterThan(0);
  });
});
