import { describe, expect, it } from 'vitest';
import { explainEstablishment } from '../index.js';
import { evenement, FINESS, patient, projetPersonnalise, sejour } from '../test-support/builders.js';
import { accompaniedPerson, compute, essms } from '../test-support/compute.js';

describe('explainability: who is in each denominator and numerator, and why others are not', () => {
  const c = compute([
    essms(),
    patient({ id: 'a', ins: '147720425367411', lastUpdated: '2024-02-01T10:00:00+01:00' }),
    patient({ id: 'a-dup', ins: '147720425367411' }),
    sejour({ id: 'sa', patient: 'a-dup', org: 'essms', start: '2023-06-01' }),
    projetPersonnalise({ id: 'pp-a', patient: 'a' }),
    evenement({ id: 'ev-a', patient: 'a', start: '2024-03-01' }),
    ...accompaniedPerson('b'),
    projetPersonnalise({ id: 'pp-b', patient: 'b', status: 'on-hold' }),
    ...accompaniedPerson('c', 'essms', { updated: false }),
  ]);
  const x = explainEstablishment(c, FINESS.paris);

  it('lists every person accompanied in P with their merged records', () => {
    expect(x?.persons).toEqual([
      { person: 'Patient/a', records: ['Patient/a', 'Patient/a-dup'] },
      { person: 'Patient/b', records: ['Patient/b'] },
      { person: 'Patient/c', records: ['Patient/c'] },
    ]);
  });

  it('per indicator: denominator, numerator, and the reason for each person out of it', () => {
    expect(x?.indicators['taux-dossiers-actifs']).toEqual({
      denominator: ['Patient/a', 'Patient/b', 'Patient/c'],
      numerator: ['Patient/a', 'Patient/b'],
      outOfNumerator: [{ person: 'Patient/c', reason: 'no-update-in-period' }],
    });
    expect(x?.indicators['taux-projet-personnalise']).toEqual({
      denominator: ['Patient/a', 'Patient/b'],
      numerator: ['Patient/a'],
      outOfNumerator: [{ person: 'Patient/b', reason: 'projet-personnalise-on-hold' }],
    });
    expect(x?.indicators['taux-evenement-agenda']).toEqual({
      denominator: ['Patient/a', 'Patient/b'],
      numerator: ['Patient/a'],
      outOfNumerator: [{ person: 'Patient/b', reason: 'no-event-in-period' }],
    });
  });

  it('the explanation agrees with the figures', () => {
    const e = c.results.establishments[0]!;
    for (const id of [
      'taux-dossiers-actifs',
      'taux-projet-personnalise',
      'taux-evenement-agenda',
      'taux-dmp',
    ] as const) {
      expect(x?.indicators[id]?.numerator.length).toBe(e.indicators[id].numerator);
      expect(x?.indicators[id]?.denominator.length).toBe(e.indicators[id].denominator);
    }
  });

  it('an unknown FINESS has no explanation', () => {
    expect(explainEstablishment(c, FINESS.paris2)).toBeUndefined();
  });
});
