import { describe, expect, it } from 'vitest';
import { computeIndicators, computeIndicatorsSync, createEngine, serialisableOptions } from './index.js';
import { bundle, evenement, FINESS } from './test-support/builders.js';
import { accompaniedPerson, D, essms } from './test-support/compute.js';

const records = [
  essms(),
  ...accompaniedPerson('p1'),
  ...accompaniedPerson('p2', 'essms', { updated: false }),
  evenement({ id: 'ev', patient: 'p1', start: '2024-02-01' }),
];

describe('entry points', () => {
  it('computeIndicators takes an async iterable and agrees with the synchronous variant', async () => {
    async function* stream() {
      for (const r of records) {
        await Promise.resolve();
        yield r;
      }
    }
    const asyncResult = await computeIndicators(stream(), { measureDate: D });
    expect(asyncResult).toEqual(computeIndicatorsSync(records, { measureDate: D }));
    expect(asyncResult.results.establishments[0]?.indicators['taux-dossiers-actifs']).toMatchObject({
      numerator: 1,
      denominator: 2,
    });
  });

  it('createEngine takes records one by one, Bundles included, and exposes the resolved options', () => {
    const engine = createEngine({ measureDate: D, countCancelledEvents: false });
    engine.add(bundle(records.slice(0, 3)));
    for (const r of records.slice(3)) engine.add(r);
    expect(serialisableOptions(engine.options)).toEqual({
      measureDate: D,
      denominatorScope: 'period',
      countCancelledEvents: false,
      finessMode: 'lenient',
      timezoneOverrides: {},
      projectStartDate: null,
      allCarePlansAreProjetPersonnalise: false,
    });
    const c = engine.finish();
    expect(c.results.establishments.map((e) => e.finess)).toEqual([FINESS.paris]);
    expect(c.results.establishments[0]?.indicators['taux-evenement-agenda']).toMatchObject({
      numerator: 1,
      denominator: 1,
    });
  });

  it('Bundles nested too deeply are reported, not followed forever', () => {
    let nested: Record<string, unknown> = essms();
    for (let i = 0; i < 6; i++) nested = bundle([nested]);
    const c = computeIndicatorsSync([nested], { measureDate: D });
    expect(c.results.dataQuality.errors.map((e) => [e.code, e.resourceType])).toEqual([
      ['invalid-resource', 'Bundle'],
    ]);
  });
});
