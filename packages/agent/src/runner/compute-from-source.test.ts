import { describe, expect, it } from 'vitest';
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
