import { describe, expect, it } from 'vitest';
import { addMonthsClamped, isSdkError, SdkOptionsError } from '../index.js';
import { FINESS, usage } from '../test-support/builders.js';
import { compute, establishment, essms } from '../test-support/compute.js';

/** indicators.md "Measurement date D" and "Period P"; the e-prescription months of "Optional indicators". */
describe('period P: the 3 months before D, local dates', () => {
  it('D = 2024-04-01 gives P = 2024-01-01 … 2024-03-31 inclusive', () => {
    const c = compute([essms()], { measureDate: '2024-04-01' });
    expect(establishment(c, FINESS.paris).period).toEqual({ start: '2024-01-01', end: '2024-03-31' });
    expect(c.results.measureDate).toBe('2024-04-01');
  });

  it('D − 3 months keeps the day of month and clamps to the month end: D = 2024-05-31 → P starts 2024-02-29', () => {
    expect(addMonthsClamped('2024-05-31', -3)).toBe('2024-02-29');
    expect(addMonthsClamped('2023-05-31', -3)).toBe('2023-02-28');
    expect(addMonthsClamped('2024-03-15', -3)).toBe('2023-12-15');
    const c = compute([essms()], { measureDate: '2024-05-31' });
    expect(establishment(c, FINESS.paris).period).toEqual({ start: '2024-02-29', end: '2024-05-30' });
  });

  it('crosses a year boundary: D = 2024-02-10 → P = 2023-11-10 … 2024-02-09', () => {
    const c = compute([essms()], { measureDate: '2024-02-10' });
    expect(establishment(c, FINESS.paris).period).toEqual({ start: '2023-11-10', end: '2024-02-09' });
  });

  it('D the 1st: the e-prescription months are the 3 months P covers, each 0 when there is none', () => {
    const c = compute([essms()], { measureDate: '2024-04-01' });
    expect(establishment(c, FINESS.paris).indicators['e-prescriptions-importees']).toEqual({
      total: 0,
      byMonth: { '2024-01': 0, '2024-02': 0, '2024-03': 0 },
    });
  });

  it('D not the 1st: P touches 4 months, months with none show 0', () => {
    const records = [
      essms(),
      usage({
        id: 'rx1',
        kind: 'e-prescription-imported',
        recorded: '2024-02-29T09:00:00+01:00',
        org: 'essms',
      }),
      usage({
        id: 'rx2',
        kind: 'e-prescription-imported',
        recorded: '2024-05-30T23:59:00+02:00',
        org: 'essms',
      }),
      // The day before P starts: in February, but not in P.
      usage({
        id: 'rx3',
        kind: 'e-prescription-imported',
        recorded: '2024-02-28T12:00:00+01:00',
        org: 'essms',
      }),
      // D itself is outside P.
      usage({
        id: 'rx4',
        kind: 'e-prescription-imported',
        recorded: '2024-05-31T00:00:00+02:00',
        org: 'essms',
      }),
    ];
    const c = compute(records, { measureDate: '2024-05-31' });
    expect(establishment(c, FINESS.paris).indicators['e-prescriptions-importees']).toEqual({
      total: 2,
      byMonth: { '2024-02': 1, '2024-03': 0, '2024-04': 0, '2024-05': 1 },
    });
  });

  it('an invalid measurement date is the caller’s error (typed, naming the key), not a data problem', () => {
    let thrown: unknown;
    try {
      compute([], { measureDate: '2024-02-30' });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(SdkOptionsError);
    expect(isSdkError(thrown)).toBe(true);
    expect((thrown as SdkOptionsError).issues.map((i) => i.key)).toEqual(['measureDate']);
  });

  it('reports every bad option at once', () => {
    let thrown: unknown;
    try {
      compute([], {
        measureDate: '01/04/2024',
        timezoneOverrides: { [FINESS.paris]: 'Mars/Olympus_Mons' },
        projectStartDate: '2024-13-01',
      });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(SdkOptionsError);
    expect([...new Set((thrown as SdkOptionsError).issues.map((i) => i.key))].sort()).toEqual(
      ['measureDate', 'projectStartDate', `timezoneOverrides.${FINESS.paris}`].sort(),
    );
  });
});
