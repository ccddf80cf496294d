import { describe, expect, it } from 'vitest';
import { evenement, FINESS, projetPersonnalise } from '../test-support/builders.js';
import { compute, essms, establishment, population } from '../test-support/compute.js';

describe('Vérification d’Aptitude: the three DUI indicators are provided and non-zero', () => {
  it('vaReady when the three DUI indicators are provided and non-zero', () => {
    const c = compute([
      essms(),
      ...population(2, 2),
      projetPersonnalise({ id: 'pp', patient: 'essms-0' }),
      evenement({ id: 'ev', patient: 'essms-1', start: '2024-03-01' }),
    ]);
    expect(establishment(c, FINESS.paris)).toMatchObject({ vaReady: true, vaReason: null });
  });

  it('not vaReady, with the reason, when one of them is zero', () => {
    const c = compute([essms(), ...population(2, 2), projetPersonnalise({ id: 'pp', patient: 'essms-0' })]);
    const e = establishment(c, FINESS.paris);
    expect(e.vaReady).toBe(false);
    expect(e.vaReason).toContain('taux-evenement-agenda');
    expect(e.vaReason).not.toContain('taux-projet-personnalise');
  });

  it('not vaReady when nobody is accompanied (not provided)', () => {
    const e = establishment(compute([essms()]), FINESS.paris);
    expect(e.vaReady).toBe(false);
    expect(e.vaReason).toMatch(/not provided/);
  });
});
