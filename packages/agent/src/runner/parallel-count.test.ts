import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createEngine } from '@esms-numerique/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFileSource } from '../sources/file-source.js';
import { FHIR_SEARCH_RESOURCE_TYPES } from '../sources/fhir-search-plan.js';
import { computeFromSources } from './compute-from-source.js';
import { SILENT_PROGRESS } from '../progress/progress-observer.js';
import { BYTES_PER_READER_THREAD, countFilesInParallel, readerThreadsFor } from './parallel-count.js';

const FIXTURE = new URL('../sources/__fixtures__/dui-small-ndjson/', import.meta.url).pathname;
const OPTIONS = { measureDate: '2024-04-01' } as const;

let dir: string;
beforeAll(async () => {
  // The fixture plus a bad line in the middle of a slice, to check problems cross threads too.
  dir = await mkdtemp(join(tmpdir(), 'esms-parallel-'));
  for (const type of FHIR_SEARCH_RESOURCE_TYPES) {
    const text = await readFile(join(FIXTURE, `${type}.000.ndjson`), 'utf8').catch(() => null);
    if (text === null) continue;
    const lines = text.split('\n').filter((l) => l.length > 0);
    if (type === 'Encounter')
      lines.splice(Math.floor(lines.length / 2), 0, '{"resourceType": "Encounter", oops');
    await writeFile(join(dir, `${type}.000.ndjson`), `${lines.join('\n')}\n`);
    // Duplicates, read by other threads: the same usage events again (counted once), and a later file with
    // sej-2 again, same lastUpdated, cancelled: the last read (the later file) is the version used.
    if (type === 'AuditEvent') await writeFile(join(dir, 'AuditEvent.001.ndjson'), `${lines.join('\n')}\n`);
    if (type === 'Encounter') {
      const sej2 = JSON.parse(lines.find((l) => l.includes('"sej-2"'))!) as Record<string, unknown>;
      await writeFile(
        join(dir, 'Encounter.009.ndjson'),
        `${JSON.stringify({ ...sej2, status: 'cancelled' })}\n`,
      );
    }
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
          e.code === 'unreadable-input' ? { ...e, location: { input: e.location?.input ?? '' } } : e,
        ),
      },
    });
    const badLine = (c: typeof parallel) =>
      c.results.dataQuality.errors.find((e) => e.code === 'unreadable-input')?.location;
    expect(Object.keys(badLine(parallel) ?? {})).toEqual(['input', 'byteOffset']);
    expect(Object.keys(badLine(sequential.computation) ?? {})).toEqual(['input', 'line']);
    expect(badLine(parallel)?.input).toBe(join(dir, 'Encounter.000.ndjson'));
    expect(where(parallel.results)).toEqual(where(sequential.computation.results));
    expect(parallel.subjects).toEqual(sequential.computation.subjects);
    expect(parallel.results.establishments.length).toBeGreaterThan(0);
    // Duplicates across threads are found when the partials are merged, and decided alike.
    const duplicates = parallel.results.dataQuality.warnings.filter((w) => w.code === 'duplicate-record');
    expect(duplicates.map((w) => `${w.resourceType}/${w.id}`)).toEqual([
      'AuditEvent/ae-1',
      'AuditEvent/ae-2',
      'AuditEvent/ae-old',
      'Encounter/sej-2',
    ]);
    const withoutDuplicates = await computeFromSources([createFileSource({ paths: [FIXTURE] })], OPTIONS, {
      readerThreads: 1,
    });
    const mssante = (c: typeof parallel) =>
      c.results.establishments.map((e) => e.indicators['taux-mssante'].numerator);
    expect(mssante(parallel)).toEqual(mssante(withoutDuplicates.computation));
    const accompanied = (c: typeof parallel) =>
      c.results.establishments.map((e) => e.indicators['taux-dossiers-actifs'].denominator);
    // sej-2 cancelled: pat-2 is no longer accompanied.
    expect(accompanied(parallel)).toEqual(accompanied(withoutDuplicates.computation).map((n) => n - 1));
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

  it('chooses one reader thread for a small input, more only as the input grows, never above the cap', () => {
    const mb = 1024 * 1024;
    expect(readerThreadsFor(0, 4)).toBe(1);
    expect(readerThreadsFor(60 * mb, 2)).toBe(1); // size M
    expect(readerThreadsFor(2 * BYTES_PER_READER_THREAD, 4)).toBe(2);
    expect(readerThreadsFor(607 * mb, 2)).toBe(2); // size L on two cores
    expect(readerThreadsFor(607 * mb, 8)).toBe(4);
  });
});

/**
 * The figures document (`esms compute --format json`) must not change with the engine's speed work: these are
 * the documents printed by main at 42b4825 (before issue 13's wave-6 changes), `--threads 1`:
 *   esms compute --input examples/sample-data --measure-date 2024-04-01 --format json --threads 1
 *   esms compute --input ../shared/reference/bulk-sample --measure-date 2023-04-01 --format json --threads 1
 * the second by its SHA-256 (it is 298 kB), the input directory written `<input>` (findings name files as
 * given). Read here with one thread, and with two cut into tiny slices.
 */
describe('the figures document is byte for byte the one main printed', () => {
  const repoRoot = new URL('../../../../', import.meta.url).pathname;
  const cases = [
    {
      name: 'the sample data',
      input: join(repoRoot, 'examples/sample-data'),
      given: 'examples/sample-data',
      measureDate: '2024-04-01',
      expected: async () =>
        readFile(new URL('./__fixtures__/sample-data-figures-2024-04-01.json', import.meta.url), 'utf8'),
    },
    {
      name: 'the reference bulk sample (Synthea)',
      input: join(repoRoot, '../shared/reference/bulk-sample'),
      given: '../shared/reference/bulk-sample',
      measureDate: '2023-04-01',
      sha256: 'ee923b66056cb9101fdfd288d0b60022e34f9779d4146d25c2c1d530d346557f',
    },
  ];
  for (const c of cases) {
    for (const threads of [1, 2]) {
      it(`${c.name}, ${threads === 1 ? 'one thread' : 'two threads and 64 kB slices'}`, async () => {
        const outcome = await computeFromSources(
          [createFileSource({ paths: [c.input] })],
          { measureDate: c.measureDate },
          {
            readerThreads: threads,
            incompleteInput: 'report',
            ...(threads === 1 ? {} : { sliceBytes: 64 * 1024 }),
          },
        );
        // Findings name the files as given: the input directory is written `<input>` on both sides.
        const document = `${JSON.stringify(outcome.computation.results, null, 2)}\n`
          .split(c.input)
          .join('<input>');
        if (c.expected !== undefined)
          expect(document).toBe((await c.expected()).split(c.given).join('<input>'));
        else expect(createHash('sha256').update(document).digest('hex')).toBe(c.sha256);
      });
    }
  }
});
