import { describe, expect, it } from 'vitest';
import { explainEstablishment } from '../index.js';
import { FINESS, projetPersonnalise, type ProjetPersonnaliseInput } from '../test-support/builders.js';
import { accompaniedPerson, compute, counts, essms } from '../test-support/compute.js';

function withPp(
  input: Partial<ProjetPersonnaliseInput> | null,
  options: { allCarePlansAreProjetPersonnalise?: boolean } = {},
) {
  const records = [essms(), ...accompaniedPerson('p')];
  if (input !== null) records.push(projetPersonnalise({ id: 'pp', patient: 'p', ...input }));
  return compute(records, options);
}
const pp = (c: ReturnType<typeof compute>) => counts(c, FINESS.paris, 'taux-projet-personnalise');
const reason = (c: ReturnType<typeof compute>) =>
  explainEstablishment(c, FINESS.paris)?.indicators['taux-projet-personnalise']?.outOfNumerator.map(
    (o) => o.reason,
  );

describe('projet personnalisé: recognised CarePlan, draft or active, current in P', () => {
  it.each(['profile', 'legacy', 'identifier', 'category'] as const)('recognised by %s', (via) => {
    expect(pp(withPp({ via }))).toEqual([1, 1]);
  });

  it('a CarePlan recognised by nothing is not a projet personnalisé', () => {
    const c = withPp({ via: 'none' });
    expect(pp(c)).toEqual([0, 1]);
    expect(reason(c)).toEqual(['no-projet-personnalise']);
  });

  it('`allCarePlansAreProjetPersonnalise` makes every CarePlan one', () => {
    expect(pp(withPp({ via: 'none' }, { allCarePlansAreProjetPersonnalise: true }))).toEqual([1, 1]);
  });

  it.each([
    ['draft', 1],
    ['active', 1],
    ['on-hold', 0],
    ['completed', 0],
    ['revoked', 0],
    ['entered-in-error', 0],
    ['unknown', 0],
  ])('status %s → %i', (status, expected) => {
    expect(pp(withPp({ status }))[0]).toBe(expected);
  });

  describe('TDDUI status codes, wherever they stand in the status (data-model.md, issue 9 §4)', () => {
    const withStatusElement = (status: unknown, statusElement?: unknown) => {
      const carePlan: Record<string, unknown> = { ...projetPersonnalise({ id: 'pp', patient: 'p' }), status };
      if (statusElement !== undefined) carePlan._status = statusElement;
      return compute([essms(), ...accompaniedPerson('p'), carePlan]);
    };

    it.each([
      ['ENPREPARATION', 1, undefined],
      ['ENCOURS', 1, undefined],
      ['ENPAUSE', 0, 'projet-personnalise-on-hold'],
      ['TERMINE', 0, 'projet-personnalise-not-current'],
      [' encours ', 1, undefined],
    ])('as a non-standard CarePlan.status: %s → %i', (code, expected, why) => {
      const c = withStatusElement(code);
      expect(pp(c)[0]).toBe(expected);
      if (why !== undefined) expect(reason(c)).toEqual([why]);
    });

    const extension = (value: Record<string, unknown>) => ({
      extension: [
        { url: 'https://dui.example/fhir/StructureDefinition/statut-projet-personnalise', ...value },
      ],
    });
    it.each([
      ['valueCode', { valueCode: 'ENPAUSE' }, 0],
      ['valueString', { valueString: 'ENPREPARATION' }, 1],
      ['valueCoding', { valueCoding: { system: 'https://dui.example/statut', code: 'TERMINE' } }, 0],
      ['valueCodeableConcept', { valueCodeableConcept: { coding: [{ code: 'ENCOURS' }] } }, 1],
    ])('in an extension of the status element (%s), it refines the FHIR status', (_name, value, expected) => {
      // `active` alone would count: the TDDUI code says what the DUI meant.
      expect(pp(withStatusElement(expected === 1 ? 'on-hold' : 'active', extension(value)))[0]).toBe(
        expected,
      );
    });

    it('an unknown code in the status element changes nothing', () => {
      expect(pp(withStatusElement('active', extension({ valueCode: 'AUTRE' })))[0]).toBe(1);
    });
  });

  it('ended before P does not count; ending on P’s first day (date-only, inclusive) does', () => {
    expect(pp(withPp({ end: '2023-12-31' }))[0]).toBe(0);
    expect(pp(withPp({ end: '2023-12-31T22:59:59Z' }))[0]).toBe(0);
    expect(pp(withPp({ end: '2024-01-01' }))[0]).toBe(1);
    expect(pp(withPp({ end: '2024-06-30' }))[0]).toBe(1);
  });

  it('created after the end of P does not count; created on P’s last day does', () => {
    expect(pp(withPp({ created: '2024-04-01' }))[0]).toBe(0);
    expect(pp(withPp({ created: '2024-03-31T22:00:00Z' }))[0]).toBe(0);
    expect(pp(withPp({ created: '2024-03-31' }))[0]).toBe(1);
    expect(pp(withPp({ created: '2021-09-01T10:00:00+02:00' }))[0]).toBe(1);
  });

  it('explains why: on hold, not current, or none at all', () => {
    expect(reason(withPp({ status: 'on-hold' }))).toEqual(['projet-personnalise-on-hold']);
    expect(reason(withPp({ status: 'completed' }))).toEqual(['projet-personnalise-not-current']);
    expect(reason(withPp({ end: '2023-06-30' }))).toEqual(['projet-personnalise-not-current']);
    expect(reason(withPp(null))).toEqual(['no-projet-personnalise']);
  });

  it('the denominator is the active dossiers: a projet personnalisé of an inactive dossier is not counted', () => {
    const c = compute([
      essms(),
      ...accompaniedPerson('p', 'essms', { updated: false }),
      projetPersonnalise({ id: 'pp', patient: 'p' }),
    ]);
    expect(pp(c)).toEqual([0, 0]);
    expect(c.results.establishments[0]?.indicators['taux-projet-personnalise'].rate).toBeNull();
  });

  it('one current projet personnalisé is enough, whatever else the person has', () => {
    const c = compute([
      essms(),
      ...accompaniedPerson('p'),
      projetPersonnalise({ id: 'old', patient: 'p', status: 'completed' }),
      projetPersonnalise({ id: 'paused', patient: 'p', status: 'on-hold' }),
      projetPersonnalise({ id: 'current', patient: 'p', status: 'draft' }),
    ]);
    expect(pp(c)).toEqual([1, 1]);
  });
});
