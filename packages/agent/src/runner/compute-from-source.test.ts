import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createFileSource } from '../sources/file-source.js';
import { isSourceIncompleteError, SourceIncompleteError } from '../sources/source-incomplete-error.js';
import type { RecordSource, SourceItem } from '../sources/source.js';
import { computeFromSources } from './compute-from-source.js';

const OPTIONS = { measureDate: '2024-04-01' } as const;
const ORGANISATION = {
  resourceType: 'Organization',
  id: 'o',
  identifier: [
    {
      system: 'https://finess.esante.gouv.fr',
      value: '750000010',
      type: { coding: [{ code: 'FINEG' }] },
    },
  ],
};

/** A source that yields one record, then meets an incomplete input: as an item, or thrown (a FHIR search). */
function source(how: 'item' | 'thrown'): RecordSource {
  const incomplete = {
    input: 'Encounter search',
    reason: 'ended-before-total' as const,
    detail: 'the last page came before the total',
    read: { pages: 1, records: 2, total: 5 },
  };
  return {
    label: 'test',
    async *records(): AsyncGenerator<SourceItem> {
      await Promise.resolve();
      yield { kind: 'record', value: ORGANISATION };
      if (how === 'item') yield { kind: 'incomplete', incomplete };
      else throw new SourceIncompleteError(incomplete, { resourceType: 'Encounter' });
    },
  };
}

describe('computeFromSources and incomplete input (one notion, whoever reads)', () => {
  it.each(['item', 'thrown'] as const)(
    'report (esms compute): the document holds input-incomplete (%s)',
    async (how) => {
      const computed = await computeFromSources([source(how)], OPTIONS, { incompleteInput: 'report' });
      expect(computed.incomplete.map((i) => i.input)).toEqual(['Encounter search']);
      const [finding] = computed.computation.results.dataQuality.errors;
      expect(finding).toMatchObject({ code: 'input-incomplete', location: { input: 'Encounter search' } });
      expect(finding?.message).toBe(
        'Encounter search incomplete after 1 page(s) and 2 of 5 records: the last page came before the total',
      );
      expect(computed.computation.results.establishments.map((e) => e.finess)).toEqual(['750000010']);
    },
  );

  it.each(['item', 'thrown'] as const)(
    'fail (run-once, the default): SourceIncompleteError, nothing computed (%s)',
    async (how) => {
      const error = await computeFromSources([source(how)], OPTIONS).catch((caught: unknown) => caught);
      expect(isSourceIncompleteError(error) && [error.code, error.incomplete.input]).toEqual([
        'input-incomplete',
        'Encounter search',
      ]);
    },
  );
});

describe('computeFromSources in one thread (issue 13)', () => {
  it('reads local files by batches, whole, not through the source one record at a time', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'esms-one-thread-'));
    try {
      await writeFile(join(dir, 'Organization.000.ndjson'), `${JSON.stringify(ORGANISATION)}\nnot json\n`);
      const files = createFileSource({ paths: [dir] });
      // A caller that wants every fact reads through `records()`, one record at a time: the reference.
      const expected = await computeFromSources(
        [files],
        { ...OPTIONS, onFact: () => undefined },
        {
          readerThreads: 1,
        },
      );
      // The same paths, and a `records()` that would fail the computation if it were read.
      const batchedOnly: RecordSource = {
        ...files,
        records: () => {
          throw new Error('read one record at a time');
        },
      };
      const one = await computeFromSources([batchedOnly], OPTIONS, { readerThreads: 1 });
      expect(one.computation.results).toEqual(expected.computation.results);
      expect(one.recordsRead).toBe(1);
      // Read whole: a bad line is still named by its line number.
      const bad = one.computation.results.dataQuality.errors.find((e) => e.code === 'unreadable-input');
      expect(bad?.location).toEqual({ input: join(dir, 'Organization.000.ndjson'), line: 2 });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
