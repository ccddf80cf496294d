import { describe, expect, it } from 'vitest';
import { dmpFeed, FINESS } from '../test-support/builders.js';
import { accompaniedPerson, compute, counts, essms } from '../test-support/compute.js';

describe('DMP: persons accompanied by E in P with at least one document fed in P', () => {
  it('a person counts once however many documents', () => {
    const c = compute([
      essms(),
      ...accompaniedPerson('p'),
      ...accompaniedPerson('q'),
      dmpFeed('d1'),
      dmpFeed('d2'),
      dmpFeed('d3'),
    ]);
    expect(counts(c, FINESS.paris, 'taux-dmp')).toEqual([1, 2]);
    expect(c.results.establishments[0]?.indicators['taux-dmp']).toMatchObject({ rate: 50, met: false });
  });

  it('the person must be accompanied by E in P', () => {
    const c = compute([
      essms('a', FINESS.paris),
      essms('b', FINESS.paris2),
      ...accompaniedPerson('p', 'b'),
      ...accompaniedPerson('q', 'a'),
      dmpFeed('d', { org: 'a' }),
    ]);
    expect(counts(c, FINESS.paris, 'taux-dmp')).toEqual([0, 1]);
    expect(counts(c, FINESS.paris2, 'taux-dmp')).toEqual([0, 1]);
  });

  it('a failed feed or one outside P does not count', () => {
    const c = compute([
      essms(),
      ...accompaniedPerson('p'),
      dmpFeed('d1', { outcome: '8' }),
      dmpFeed('d2', { recorded: '2024-04-02T10:00:00+02:00' }),
    ]);
    expect(counts(c, FINESS.paris, 'taux-dmp')).toEqual([0, 1]);
  });

  it('without a person it is an error and counts nowhere', () => {
    const c = compute([essms(), ...accompaniedPerson('p'), dmpFeed('d', { patient: undefined })]);
    expect(counts(c, FINESS.paris, 'taux-dmp')).toEqual([0, 1]);
    expect(c.results.dataQuality.errors).toEqual([
      expect.objectContaining({ resourceType: 'AuditEvent', id: 'd' }),
    ]);
  });

  it('the reason out of the numerator is `no-dmp-document-in-period`', () => {
    const c = compute([essms(), ...accompaniedPerson('p')]);
    expect(c.subjects[0]?.indicators['taux-dmp']?.outOfNumerator).toEqual([
      { person: 'Patient/p', reason: 'no-dmp-document-in-period' },
    ]);
  });
});
