import { describe, expect, it } from 'vitest';
import { FINESS } from '../test-support/builders.js';
import { compute, essms, establishment, findings, population } from '../test-support/compute.js';

const dossiers = (c: ReturnType<typeof compute>, finess: string = FINESS.paris) =>
  establishment(c, finess).indicators['taux-dossiers-actifs'];

describe('rates', () => {
  it('`met` compares the exact rate: 809/899 = 89.99 % displays 90.0 but is not met', () => {
    const c = compute([essms(), ...population(899, 809)]);
    expect(dossiers(c)).toEqual({ numerator: 809, denominator: 899, rate: 90, target: 90, met: false });
  });

  it('exactly the target is met: 9/10', () => {
    expect(dossiers(compute([essms(), ...population(10, 9)]))).toEqual({
      numerator: 9,
      denominator: 10,
      rate: 90,
      target: 90,
      met: true,
    });
  });

  it.each([
    [3, 1, 33.3],
    [3, 2, 66.7],
    [8, 1, 12.5],
    [16, 1, 6.3],
    [7, 7, 100],
    [6, 0, 0],
  ])('rate rounded to one decimal: %i accompanied, %i active → %d', (accompanied, active, rate) => {
    expect(dossiers(compute([essms(), ...population(accompanied, active)])).rate).toBe(rate);
  });

  it('zero denominator: rate null (not 0, not 100), target not met, and a warning says why', () => {
    const c = compute([essms()]);
    expect(dossiers(c)).toEqual({ numerator: 0, denominator: 0, rate: null, target: 90, met: false });
    expect(findings(c, 'empty-denominator')).toHaveLength(1);
  });

  it('persons accompanied but no active dossier: the projet personnalisé and agenda rates are null, and a warning says why', () => {
    const c = compute([essms(), ...population(3, 0)]);
    const e = establishment(c, FINESS.paris);
    expect(dossiers(c)).toMatchObject({ numerator: 0, denominator: 3, rate: 0 });
    for (const id of ['taux-projet-personnalise', 'taux-evenement-agenda'] as const)
      expect(e.indicators[id]).toEqual({ numerator: 0, denominator: 0, rate: null, target: 90, met: false });
    const warnings = findings(c, 'empty-denominator');
    expect(warnings.map((w) => w.finess)).toEqual([FINESS.paris]);
    expect(warnings[0]?.message).toContain('no active dossier');
  });

  it('active dossiers but none with an event: the agenda rate is 0, not null', () => {
    const r = establishment(compute([essms(), ...population(2, 2)]), FINESS.paris).indicators[
      'taux-evenement-agenda'
    ];
    expect(r).toEqual({ numerator: 0, denominator: 2, rate: 0, target: 90, met: false });
  });

  it('targets: 90 % for the three DUI indicators, 70 % for MSSanté and DMP', () => {
    const e = establishment(compute([essms()]), FINESS.paris);
    expect(
      Object.fromEntries(
        Object.entries(e.indicators)
          .filter(([, v]) => 'target' in v)
          .map(([k, v]) => [k, (v as { target: number }).target]),
      ),
    ).toEqual({
      'taux-dossiers-actifs': 90,
      'taux-projet-personnalise': 90,
      'taux-evenement-agenda': 90,
      'taux-mssante': 70,
      'taux-dmp': 70,
    });
  });
});
