import { describe, expect, it } from 'vitest';
import { FINESS, usage, type UsageInput } from '../test-support/builders.js';
import { accompaniedPerson, compute, establishment, essms } from '../test-support/compute.js';

const rx = (id: string, recorded: string, extra: Partial<UsageInput> = {}) =>
  usage({ id, kind: 'e-prescription-imported', recorded, org: 'essms', ...extra });

describe('e-prescriptions importées: per local calendar month of P, and in total', () => {
  it('counts per month in the ESSMS’s time zone', () => {
    // 2024-01-31T21:30Z is 31 January in Paris but 1 February in Réunion.
    const records = (org: string) => [
      rx(`${org}-1`, '2024-01-31T21:30:00Z', { org }),
      rx(`${org}-2`, '2024-03-15', { org }),
      rx(`${org}-3`, '2024-03-15T12:00:00+01:00', { org }),
      rx(`${org}-failed`, '2024-03-15T12:00:00+01:00', { org, outcome: '8' }),
    ];
    const c = compute([
      essms('paris', FINESS.paris),
      essms('reunion', FINESS.reunion),
      ...records('paris'),
      ...records('reunion'),
    ]);
    expect(establishment(c, FINESS.paris).indicators['e-prescriptions-importees']).toEqual({
      total: 3,
      byMonth: { '2024-01': 1, '2024-02': 0, '2024-03': 2 },
    });
    expect(establishment(c, FINESS.reunion).indicators['e-prescriptions-importees']).toEqual({
      total: 3,
      byMonth: { '2024-01': 0, '2024-02': 1, '2024-03': 2 },
    });
  });

  it('without agent.who they are attributed through the séjour like messages', () => {
    const c = compute([
      essms(),
      ...accompaniedPerson('p'),
      rx('r', '2024-02-10T10:00:00+01:00', { org: undefined, patient: 'p' }),
    ]);
    expect(establishment(c, FINESS.paris).indicators['e-prescriptions-importees'].byMonth['2024-02']).toBe(1);
  });
});
