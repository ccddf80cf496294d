import { describe, expect, it } from 'vitest';
import { createEngine, isSdkError } from './index.js';
import {
  evenement,
  FINESS,
  patient,
  projetPersonnalise,
  recordAbout,
  sejour,
} from './test-support/builders.js';
import { accompaniedPerson, compute, counts, D, essms, findings } from './test-support/compute.js';

const SECRET_DATE = '2024-02-30T10:00:00+01:00';
const SECRET_NUMBER = 2_690_875_123_456_789;

describe('data quality: every unusable record is reported, and the rest still computes', () => {
  it('an Encounter with an impossible date is `invalid-resource` with type, id and path, never the value', () => {
    const bad = sejour({ id: 'bad-sej', patient: 'p2', org: 'essms', start: SECRET_DATE });
    const c = compute([essms(), ...accompaniedPerson('p1'), patient({ id: 'p2' }), bad]);
    expect(counts(c, FINESS.paris, 'taux-dossiers-actifs')).toEqual([1, 1]);
    const [finding] = findings(c, 'invalid-resource');
    expect(finding).toMatchObject({ resourceType: 'Encounter', id: 'bad-sej' });
    expect(finding?.message).toContain('period.start');
    expect(JSON.stringify(c)).not.toContain('2024-02-30');
  });

  it('a Patient whose identifier is a number is `invalid-resource`; its records are `unknown-subject`', () => {
    const bad = { ...patient({ id: 'p2' }), identifier: SECRET_NUMBER };
    const c = compute([
      essms(),
      ...accompaniedPerson('p1'),
      bad,
      sejour({ id: 's2', patient: 'p2', org: 'essms', start: '2023-06-01' }),
    ]);
    expect(counts(c, FINESS.paris, 'taux-dossiers-actifs')).toEqual([1, 1]);
    const invalid = findings(c, 'invalid-resource');
    expect(invalid).toMatchObject([{ resourceType: 'Patient', id: 'p2' }]);
    expect(invalid[0]?.message).toContain('identifier');
    expect(findings(c, 'unknown-subject')).toEqual([
      expect.objectContaining({ resourceType: 'Encounter', id: 's2' }),
    ]);
    expect(JSON.stringify(c)).not.toContain(String(SECRET_NUMBER));
  });

  it.each([
    ['a string', 'Patient/p1'],
    ['a number', 42],
    ['null', null],
    ['an array', [1, 2]],
    ['an object without resourceType', { id: 'x', subject: { reference: 'Patient/p1' } }],
  ])('%s in the input is `invalid-resource`', (_name, value) => {
    const c = compute([essms(), ...accompaniedPerson('p1'), value]);
    expect(findings(c, 'invalid-resource')).toHaveLength(1);
    expect(counts(c, FINESS.paris, 'taux-dossiers-actifs')).toEqual([1, 1]);
  });

  it('a Bundle whose entry is not an array is reported', () => {
    const c = compute([{ resourceType: 'Bundle', id: 'b', type: 'collection', entry: { resource: {} } }]);
    expect(findings(c, 'invalid-resource')).toEqual([
      expect.objectContaining({ resourceType: 'Bundle', id: 'b' }),
    ]);
  });

  it('records about a person whose Patient is not in the input are `unknown-subject`, each once', () => {
    const c = compute([
      essms(),
      ...accompaniedPerson('p1'),
      projetPersonnalise({ id: 'pp', patient: 'ghost' }),
      evenement({ id: 'ev', patient: 'ghost', start: '2024-02-01' }),
      recordAbout({
        resourceType: 'Observation',
        id: 'obs',
        patient: 'ghost',
        lastUpdated: '2024-02-01T00:00:00Z',
      }),
    ]);
    expect(
      findings(c, 'unknown-subject')
        .map((f) => `${f.resourceType}/${f.id}`)
        .sort(),
    ).toEqual(['CarePlan/pp', 'Encounter/ev', 'Observation/obs']);
  });

  it('a séjour of a person whose Patient is not in the input is `unknown-subject` once, updated or not (audit G5)', () => {
    for (const lastUpdated of [undefined, '2023-09-01T10:00:00+02:00', '2024-01-05T10:00:00+01:00']) {
      const c = compute([
        essms(),
        ...accompaniedPerson('p1'),
        sejour({ id: 'sej-g', patient: 'ghost', org: 'essms', start: '2024-01-02', lastUpdated }),
      ]);
      expect(
        findings(c, 'unknown-subject').map((f) => `${f.resourceType}/${f.id}`),
        String(lastUpdated),
      ).toEqual(['Encounter/sej-g']);
    }
  });

  it('input that could not be parsed is reported through the engine as `unreadable-input`', () => {
    const engine = createEngine({ measureDate: D });
    engine.reportUnreadable('Patient.000.ndjson:12', 'not valid JSON');
    const c = engine.finish();
    expect(findings(c, 'unreadable-input')).toEqual([
      expect.objectContaining({ id: 'Patient.000.ndjson:12', message: 'not valid JSON' }),
    ]);
  });

  it('an engine cannot be used after finish (typed error)', () => {
    const engine = createEngine({ measureDate: D });
    engine.finish();
    let thrown: unknown;
    try {
      engine.add(essms());
    } catch (error) {
      thrown = error;
    }
    expect(isSdkError(thrown) && thrown.code).toBe('engine-finished');
  });

  it('findings carry a code and a message; errors and warnings are separate lists', () => {
    const c = compute([
      essms('e', FINESS.tddui),
      ...accompaniedPerson('p', 'e'),
      sejour({ id: 'inv', patient: 'p', org: 'e', start: '2024-02-02', end: '2024-02-01' }),
    ]);
    for (const f of [...c.results.dataQuality.errors, ...c.results.dataQuality.warnings]) {
      expect(typeof f.code).toBe('string');
      expect(f.message.length).toBeGreaterThan(0);
    }
    expect(c.results.dataQuality.errors.map((e) => e.code)).toEqual(['period-inverted']);
    expect(c.results.dataQuality.warnings.map((e) => e.code)).toEqual(['finess-key']);
  });
});
