import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createEngine, SdkError } from './index.js';
import { duiExtract } from './test-support/arbitraries.js';

const RUNS = Number(process.env['SDK_PROPERTY_RUNS'] ?? 40);
const OPTIONS = { measureDate: '2024-04-01' } as const;

describe('partial engines (input shared out between worker threads)', () => {
  it('merging engines fed with parts of the input gives exactly the figures of one engine', () => {
    fc.assert(
      fc.property(duiExtract, fc.integer({ min: 2, max: 4 }), fc.nat(), (records, parts, seed) => {
        const whole = createEngine(OPTIONS);
        for (const r of records) whole.add(r);
        const expected = whole.finish();

        const engines = Array.from({ length: parts }, () => createEngine(OPTIONS));
        records.forEach((r, i) => engines[(i * 7 + seed) % parts]!.add(structuredClone(r)));
        const [main, ...others] = engines;
        // Through structured clone, as between threads.
        for (const other of others) main!.mergePartial(structuredClone(other.exportPartial()));
        const merged = main!.finish();
        expect(merged.results).toEqual(expected.results);
        expect(merged.subjects).toEqual(expected.subjects);
      }),
      { numRuns: RUNS },
    );
  });

  it('exporting its state ends an engine: the state is handed over, not copied (issue 13)', () => {
    const record = { resourceType: 'Patient', id: 'p1', meta: { lastUpdated: 'not a time' } };
    const engine = createEngine(OPTIONS);
    engine.add(structuredClone(record));
    const partial = engine.exportPartial();
    expect(() => engine.add({ resourceType: 'Patient', id: 'p2' })).toThrow(SdkError);
    expect(() => engine.finish()).toThrow(SdkError);
    // Still merged exactly, as the reader threads do after transferring its buffers.
    const main = createEngine(OPTIONS);
    main.mergePartial(partial);
    const direct = createEngine(OPTIONS);
    direct.add(record);
    const expected = direct.finish().results;
    expect(expected.dataQuality.errors.length + expected.dataQuality.warnings.length).toBeGreaterThan(0);
    expect(main.finish().results).toEqual(expected);
  });

  it('refuses to merge the state of an engine created with other options', () => {
    const a = createEngine(OPTIONS);
    const b = createEngine({ measureDate: '2024-05-01' });
    expect(() => a.mergePartial(b.exportPartial())).toThrow(SdkError);
  });
});
