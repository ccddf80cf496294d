import { describe, expect, it } from 'vitest';
import { computeIndicatorsSync, rollUpOrganisation } from '../index.js';
import { FINESS, organisation, sejour } from '../test-support/builders.js';
import { accompaniedPerson, compute, essms, population } from '../test-support/compute.js';

describe('the roll-up to the organisme gestionnaire', () => {
  it('the OG rate is weighted (sum of numerators / sum of denominators), never an average of rates', () => {
    // ESSMS A: 1/1 = 100 %; ESSMS B: 1/9 = 11.1 %. Average of rates 55.6 %; weighted 2/10 = 20 %.
    const c = compute([
      organisation({ id: 'og', finess: FINESS.parisOg, type: 'FINEJ', name: 'Association' }),
      essms('a', FINESS.paris, { partOf: 'og' }),
      essms('b', FINESS.paris2, { partOf: 'og' }),
      ...population(1, 1, 'a'),
      ...population(9, 1, 'b'),
    ]);
    const og = c.results.organisations.find((o) => o.finess === FINESS.parisOg);
    expect(og?.establishments).toEqual([FINESS.paris, FINESS.paris2]);
    expect(og?.indicators['taux-dossiers-actifs']).toEqual({
      numerator: 2,
      denominator: 10,
      rate: 20,
      target: 90,
      met: false,
    });
    expect(og?.dossiersActifs).toBe(2);
    expect(og?.fileActive).toBe(10);
  });

  it('rollUpOrganisation (exported): over all members it is the document’s roll-up; over some, their sums', () => {
    const c = compute([
      organisation({ id: 'og', finess: FINESS.parisOg, type: 'FINEJ', name: 'Association' }),
      essms('a', FINESS.paris, { partOf: 'og' }),
      essms('b', FINESS.paris2, { partOf: 'og' }),
      ...population(1, 1, 'a'),
      ...population(9, 1, 'b'),
    ]);
    const og = c.results.organisations[0]!;
    expect(rollUpOrganisation(og, c.results.establishments)).toEqual(og);
    const onlyB = rollUpOrganisation(og, [c.results.establishments[1]!]);
    expect(onlyB.establishments).toEqual([FINESS.paris2]);
    expect(onlyB.indicators['taux-dossiers-actifs']).toMatchObject({ numerator: 1, denominator: 9 });
    expect(onlyB.fileActive).toBe(9);
  });

  it('a person accompanied by two ESSMS of one OG counts in each', () => {
    const c = compute([
      organisation({ id: 'og', finess: FINESS.parisOg, type: 'FINEJ' }),
      essms('a', FINESS.paris, { partOf: 'og' }),
      essms('b', FINESS.paris2, { partOf: 'og' }),
      ...accompaniedPerson('p', 'a'),
      sejour({ id: 'sb', patient: 'p', org: 'b', start: '2023-06-01' }),
    ]);
    expect(c.results.organisations[0]?.indicators['taux-dossiers-actifs']).toMatchObject({
      numerator: 2,
      denominator: 2,
    });
  });

  it('an ESSMS without an OG is not rolled up', () => {
    expect(compute([essms()]).results.organisations).toEqual([]);
  });
});

describe('organisme gestionnaire named only by identifier', () => {
  it('an ESSMS whose partOf is a FINESS identifier rolls up under that FINESS juridique', () => {
    const { results } = computeIndicatorsSync(
      [
        {
          resourceType: 'Organization',
          id: 'et',
          identifier: [
            {
              system: 'https://finess.esante.gouv.fr',
              value: '970400024',
              type: { coding: [{ code: 'FINEG' }] },
            },
          ],
          partOf: { identifier: { system: 'https://finess.esante.gouv.fr', value: '970408589' } },
        },
      ],
      { measureDate: '2024-04-01' },
    );
    expect(results.establishments[0]?.organisation).toBe('970408589');
    expect(results.organisations.map((o) => o.finess)).toEqual(['970408589']);
  });
});
