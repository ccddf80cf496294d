import { describe, expect, it } from 'vitest';
import { resolveMeasureDate } from './measure-date.js';

const FIRST_OF_MONTH = { rule: 'first-day-of-current-month' } as const;

describe('resolveMeasureDate', () => {
  it('takes the month of the schedule time zone, not of UTC, near midnight of the 1st', () => {
    // 23:30 UTC on 31 March 2024: already 1 April (01:30, summer time) in Paris, still 31 March in Tahiti.
    const now = new Date('2024-03-31T23:30:00Z');
    expect(resolveMeasureDate(FIRST_OF_MONTH, now, 'Europe/Paris')).toBe('2024-04-01');
    expect(resolveMeasureDate(FIRST_OF_MONTH, now, 'Pacific/Tahiti')).toBe('2024-03-01');
    expect(resolveMeasureDate(FIRST_OF_MONTH, now, 'UTC')).toBe('2024-03-01');
  });

  it('lets a Pacific time zone ahead of UTC reach the next month first', () => {
    // 12:30 UTC on 30 April: 00:30 on 1 May in Wallis (UTC+12), 14:30 on 30 April in Paris.
    const now = new Date('2024-04-30T12:30:00Z');
    expect(resolveMeasureDate(FIRST_OF_MONTH, now, 'Pacific/Wallis')).toBe('2024-05-01');
    expect(resolveMeasureDate(FIRST_OF_MONTH, now, 'Europe/Paris')).toBe('2024-04-01');
  });

  it('turns the year on New Year in Paris (winter time)', () => {
    const now = new Date('2024-12-31T23:00:00Z');
    expect(resolveMeasureDate(FIRST_OF_MONTH, now, 'Europe/Paris')).toBe('2025-01-01');
    expect(resolveMeasureDate(FIRST_OF_MONTH, new Date('2024-12-31T22:59:59Z'), 'Europe/Paris')).toBe(
      '2024-12-01',
    );
  });

  it('returns a fixed date as configured', () => {
    expect(
      resolveMeasureDate(
        { rule: 'fixed', date: '2024-04-01' },
        new Date('2030-01-15T00:00:00Z'),
        'Europe/Paris',
      ),
    ).toBe('2024-04-01');
  });

  it('rejects an invalid clock', () => {
    expect(() => resolveMeasureDate(FIRST_OF_MONTH, new Date('nope'), 'Europe/Paris')).toThrow(RangeError);
  });
});
