import { describe, expect, it } from 'vitest';
import { checkFiness, finessKey, hasValidFinessKey, isWellFormedFiness } from '../index.js';
import { FINESS, organisation, patient, sejour } from '../test-support/builders.js';
import { accompaniedPerson, compute, establishment, essms, findings } from '../test-support/compute.js';

describe('FINESS key (Luhn over the 9 digits)', () => {
  it('finessKey completes 8 digits into a number whose key checks', () => {
    expect(finessKey('97040002')).toBe(4); // 970400024, the Réunion number of indicators.md
    expect(finessKey('75000001')).toBe(0);
    for (const prefix of ['01234567', '13000001', '69000001', '99999999', '00000000']) {
      const full = `${prefix}${finessKey(prefix)}`;
      expect(hasValidFinessKey(full)).toBe(true);
      // Any other last digit fails.
      const wrong = `${prefix}${(finessKey(prefix) + 1) % 10}`;
      expect(hasValidFinessKey(wrong)).toBe(false);
    }
    expect(() => finessKey('1234567')).toThrow(RangeError);
  });

  it('every FINESS the tests use as valid passes its key; the TDDUI examples’ 480787529 fails it', () => {
    for (const [name, value] of Object.entries(FINESS)) {
      const check = checkFiness(value);
      expect({ name, problem: check.problem }).toEqual({ name, problem: name === 'tddui' ? 'key' : null });
    }
  });

  it('normalises case and surrounding spaces', () => {
    expect(checkFiness(' 2a0000010 ')).toEqual({ value: '2A0000010', problem: null, corsica: true });
  });

  it('Corsican numbers (2A, 2B) are checked for format only', () => {
    expect(checkFiness('2A0000019').problem).toBeNull();
    expect(checkFiness('2B1234567').problem).toBeNull();
    expect(checkFiness('2C1234567').problem).toBe('format');
    expect(checkFiness('2A123456').problem).toBe('format');
    expect(isWellFormedFiness('2B12345X7')).toBe(false);
  });

  it('format: 9 characters, 2 department characters then 7 digits', () => {
    for (const bad of ['75000001', '7500000100', '75000001X', 'AB0000010', '', '75 000 001']) {
      expect(checkFiness(bad).problem).toBe('format');
    }
  });
});

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
});
