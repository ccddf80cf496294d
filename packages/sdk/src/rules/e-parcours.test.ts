import { describe, expect, it } from 'vitest';
import { FINESS, organisation, usage, type UsageInput } from '../test-support/builders.js';
import { compute, establishment, essms } from '../test-support/compute.js';

const rx = (id: string, recorded: string, extra: Partial<UsageInput> = {}) =>
  usage({ id, kind: 'e-prescription-imported', recorded, org: 'essms', ...extra });
const ep = (id: string, recorded: string, extra: Partial<UsageInput> = {}) =>
  usage({ id, kind: 'e-parcours-exchange', recorded, org: 'essms', ...extra });

describe('échanges e-parcours: in P, and since the project start date when configured', () => {
  const records = [
    essms(),
    ep('before-project', '2023-05-31T23:00:00+02:00'),
    ep('project-1', '2023-06-01T00:00:00+02:00'),
    ep('project-2', '2023-11-15T10:00:00+01:00'),
    ep('in-p', '2024-02-01T10:00:00+01:00'),
    ep('in-p-2', '2024-03-31T23:59:00+02:00'),
    ep('after-p', '2024-04-01T00:00:00+02:00'),
    ep('failed', '2024-02-01T10:00:00+01:00', { outcome: '4' }),
  ];

  it('without projectStartDate: the count in P, and sinceProjectStart null', () => {
    expect(establishment(compute(records), FINESS.paris).indicators['echanges-e-parcours']).toEqual({
      total: 2,
      sinceProjectStart: null,
    });
  });

  it('with projectStartDate: the cumulative count from that local date to the end of P', () => {
    expect(
      establishment(compute(records, { projectStartDate: '2023-06-01' }), FINESS.paris).indicators[
        'echanges-e-parcours'
      ],
    ).toEqual({
      total: 2,
      sinceProjectStart: 4,
    });
  });

  it('the OG sums both figures', () => {
    const c = compute(
      [
        organisation({ id: 'og', finess: FINESS.parisOg, type: 'FINEJ' }),
        essms('essms', FINESS.paris, { partOf: 'og' }),
        essms('other', FINESS.paris2, { partOf: 'og' }),
        ...records.slice(1),
        ep('other-1', '2024-02-01T10:00:00+01:00', { org: 'other' }),
        rx('other-rx', '2024-02-01T10:00:00+01:00', { org: 'other' }),
      ],
      { projectStartDate: '2023-06-01' },
    );
    expect(c.results.organisations[0]?.indicators['echanges-e-parcours']).toEqual({
      total: 3,
      sinceProjectStart: 5,
    });
    expect(c.results.organisations[0]?.indicators['e-prescriptions-importees']).toEqual({
      total: 1,
      byMonth: { '2024-01': 0, '2024-02': 1, '2024-03': 0 },
    });
  });
});
