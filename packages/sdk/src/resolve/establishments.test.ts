import { describe, expect, it } from 'vitest';
import { FINESS, organisation, patient, sejour } from '../test-support/builders.js';
import { accompaniedPerson, compute, essms, establishment, findings } from '../test-support/compute.js';

describe('which FINESS an Organization carries', () => {
  it('lenient (default): a failing key is a warning and the ESSMS is reported', () => {
    const c = compute([essms('e', FINESS.tddui), ...accompaniedPerson('p', 'e')]);
    expect(establishment(c, FINESS.tddui).indicators['taux-dossiers-actifs'].denominator).toBe(1);
    expect(findings(c, 'finess-key')).toEqual([
      expect.objectContaining({ finess: FINESS.tddui, resourceType: 'Organization', id: 'e' }),
    ]);
    expect(c.results.dataQuality.warnings.map((w) => w.code)).toContain('finess-key');
    expect(c.results.dataQuality.errors.map((w) => w.code)).not.toContain('finess-key');
  });

  it('strict: a failing key is an error and the ESSMS is excluded (its séjours are unknown-establishment)', () => {
    const c = compute([essms('e', FINESS.tddui), ...accompaniedPerson('p', 'e')], { finessMode: 'strict' });
    expect(c.results.establishments).toEqual([]);
    expect(c.results.dataQuality.errors.map((e) => e.code)).toEqual(
      expect.arrayContaining(['finess-key', 'unknown-establishment']),
    );
    expect(c.results.dataQuality.warnings.map((w) => w.code)).not.toContain('finess-key');
  });

  it('Corsica passes in strict mode too', () => {
    const c = compute([essms('e', FINESS.corsica)], { finessMode: 'strict' });
    expect(establishment(c, FINESS.corsica).finess).toBe(FINESS.corsica);
  });

  it('a badly formed FINESS is a `finess-format` error and excludes the ESSMS', () => {
    const c = compute([essms('e', '75000001'), ...accompaniedPerson('p', 'e')]);
    expect(c.results.establishments).toEqual([]);
    expect(findings(c, 'finess-format')).toEqual([
      expect.objectContaining({ resourceType: 'Organization', id: 'e', finess: '75000001' }),
    ]);
    expect(c.results.dataQuality.errors.map((e) => e.code)).toContain('unknown-establishment');
  });

  it('idNatSt `1` + FINESS names the ESSMS when it provides a séjour', () => {
    const c = compute([
      organisation({ id: 'e', finess: FINESS.paris, type: 'idNatSt' }),
      ...accompaniedPerson('p', 'e'),
    ]);
    expect(establishment(c, FINESS.paris).indicators['taux-dossiers-actifs'].denominator).toBe(1);
  });

  it('an Organization without FINEG that provides no séjour is not an ESSMS (an OG, a hospital…)', () => {
    const c = compute([
      organisation({ id: 'og', finess: FINESS.parisOg, type: 'FINEJ' }),
      organisation({ id: 'other', finess: FINESS.paris2, type: 'idNatSt' }),
      organisation({ id: 'untyped', finess: FINESS.paris3, type: 'untyped' }),
    ]);
    expect(c.results.establishments).toEqual([]);
  });

  it('FINEG vs FINEJ: the ESSMS is reported under its FINESS géographique, its OG (partOf) under the FINEJ', () => {
    const c = compute([
      organisation({ id: 'og', finess: FINESS.parisOg, type: 'FINEJ', name: 'Association' }),
      organisation({ id: 'e', finess: FINESS.paris, type: 'FINEG', partOf: 'og', name: 'Foyer' }),
      ...accompaniedPerson('p', 'e'),
    ]);
    expect(c.results.establishments.map((e) => [e.finess, e.organisation, e.name])).toEqual([
      [FINESS.paris, FINESS.parisOg, 'Foyer'],
    ]);
    expect(c.results.organisations.map((o) => [o.finess, o.establishments])).toEqual([
      [FINESS.parisOg, [FINESS.paris]],
    ]);
  });

  it('an Organization carrying both its FINEG and its OG’s FINEJ is reported under the FINEG, with the FINEJ as OG', () => {
    const both = organisation({ id: 'e', finess: FINESS.paris, type: 'FINEG' });
    (both.identifier as unknown[]).push({
      type: { coding: [{ code: 'FINEJ' }] },
      system: 'https://finess.esante.gouv.fr',
      value: FINESS.parisOg,
    });
    const c = compute([both]);
    expect(c.results.establishments.map((e) => [e.finess, e.organisation])).toEqual([
      [FINESS.paris, FINESS.parisOg],
    ]);
  });

  it('a FINEG with nobody accompanied is reported: rates null, not vaReady, an empty-denominator warning', () => {
    const c = compute([essms('e', FINESS.paris)]);
    const e = establishment(c, FINESS.paris);
    for (const id of [
      'taux-dossiers-actifs',
      'taux-projet-personnalise',
      'taux-evenement-agenda',
      'taux-mssante',
      'taux-dmp',
    ] as const) {
      expect(e.indicators[id]).toMatchObject({ numerator: 0, denominator: 0, rate: null, met: false });
    }
    expect(e.vaReady).toBe(false);
    expect(e.vaReason).toMatch(/taux-dossiers-actifs/);
    expect(findings(c, 'empty-denominator')).toEqual([expect.objectContaining({ finess: FINESS.paris })]);
  });

  it('the séjour provider may be named by FINESS identifier instead of a literal reference', () => {
    const s = sejour({ id: 's', patient: 'p', org: 'x', start: '2023-06-01' });
    s.serviceProvider = { identifier: { system: 'https://finess.esante.gouv.fr', value: FINESS.paris } };
    const c = compute([
      essms('e', FINESS.paris),
      patient({ id: 'p', lastUpdated: '2024-02-01T00:00:00Z' }),
      s,
    ]);
    expect(establishment(c, FINESS.paris).indicators['taux-dossiers-actifs']).toMatchObject({
      numerator: 1,
      denominator: 1,
    });
  });

  it('two Organization records with the same FINEG are one ESSMS', () => {
    const c = compute([
      essms('e1', FINESS.paris),
      essms('e2', FINESS.paris),
      ...accompaniedPerson('p1', 'e1'),
      ...accompaniedPerson('p2', 'e2'),
    ]);
    expect(c.results.establishments).toHaveLength(1);
    expect(establishment(c, FINESS.paris).indicators['taux-dossiers-actifs'].denominator).toBe(2);
  });
  it('establishments are sorted by FINESS', () => {
    const c = compute([essms('z', FINESS.reunion), essms('y', FINESS.paris2), essms('x', FINESS.paris)]);
    expect(c.results.establishments.map((e) => e.finess)).toEqual([
      FINESS.paris,
      FINESS.paris2,
      FINESS.reunion,
    ]);
  });
});
