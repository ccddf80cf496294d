import { describe, expect, it } from 'vitest';
import { FINESS, message } from '../test-support/builders.js';
import { accompaniedPerson, compute, counts, essms, findings } from '../test-support/compute.js';

const mssante = (c: ReturnType<typeof compute>, finess: string = FINESS.paris) =>
  counts(c, finess, 'taux-mssante');

describe('MSSanté: messages sent by E in P, over the persons accompanied', () => {
  it('counts messages, not persons: the rate may exceed 100 %', () => {
    const c = compute([
      essms(),
      ...accompaniedPerson('p1'),
      ...accompaniedPerson('p2'),
      message('m1'),
      message('m2'),
      message('m3', { patient: 'p1' }),
    ]);
    expect(c.results.establishments[0]?.indicators['taux-mssante']).toEqual({
      numerator: 3,
      denominator: 2,
      rate: 150,
      target: 70,
      met: true,
    });
  });

  it('a failed send (outcome ≠ 0) is ignored', () => {
    expect(
      mssante(
        compute([
          essms(),
          ...accompaniedPerson('p'),
          message('m', { outcome: '8' }),
          message('m2', { outcome: '4' }),
        ]),
      ),
    ).toEqual([0, 1]);
  });

  it('a message recorded outside P is ignored', () => {
    const c = compute([
      essms(),
      ...accompaniedPerson('p'),
      message('before', { recorded: '2023-12-31T23:59:59+01:00' }),
      message('d', { recorded: '2024-04-01T00:00:00+02:00' }),
    ]);
    expect(mssante(c)).toEqual([0, 1]);
  });

  it('agent.who by reference, by FINESS identifier, or by idNatSt identifier', () => {
    const c = compute([
      essms(),
      ...accompaniedPerson('p'),
      message('by-ref'),
      message('by-finess', { org: { finess: FINESS.paris } }),
      {
        ...message('by-idnatst'),
        agent: [{ who: { identifier: { system: 'urn:oid:1.2.250.1.71.4.2.2', value: `1${FINESS.paris}` } } }],
      },
    ]);
    expect(mssante(c)).toEqual([3, 1]);
    expect(findings(c, 'unattributed-event')).toEqual([]);
  });
});
