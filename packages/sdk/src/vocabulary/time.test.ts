import { describe, expect, it } from 'vitest';
import { evenement, FINESS, sejour, usage } from '../test-support/builders.js';
import { accompaniedPerson, compute, counts, essms, findings } from '../test-support/compute.js';
import { lastTimeDeviation, parseFhirTime, TIME_DEVIATIONS } from './time.js';

describe('FHIR time values: what cannot name a real instant is refused (issue 9 §3)', () => {
  it.each([
    ['year 0000', '0000-06-01'],
    ['year 0000 with a time', '0000-06-01T10:00:00Z'],
    ['an offset beyond +14:00', '2024-02-01T10:00:00+14:30'],
    ['an offset beyond -14:00', '2024-02-01T10:00:00-14:01'],
    ['an offset of 15 hours', '2024-02-01T10:00:00+15:00'],
  ])('%s is not a time', (_name, text) => {
    expect(parseFhirTime(text, 'start')).toBeNaN();
  });

  it.each([
    '0001-01-01',
    '2024-02-01T10:00:00+14:00',
    '2024-02-01T10:00:00-14:00',
    '2024-02-01T10:00:00-12:00',
  ])('%s is one', (text) => {
    expect(parseFhirTime(text, 'start')).not.toBeNaN();
    expect(lastTimeDeviation()).toBe(0);
  });

  it('unambiguous forms outside the grammar are read, and say so', () => {
    expect(parseFhirTime('2024-02-01T10:00+01:00', 'start')).toBe(Date.parse('2024-02-01T09:00:00Z'));
    expect(lastTimeDeviation()).toBe(TIME_DEVIATIONS.noSeconds);
    expect(parseFhirTime('2024-02-01T10:00:00.123456789012Z', 'start')).toBe(
      Date.parse('2024-02-01T10:00:00.123Z'),
    );
    expect(lastTimeDeviation()).toBe(TIME_DEVIATIONS.longFraction);
    expect(parseFhirTime('2024-02-01T10:00:00.123456789Z', 'start')).toBe(
      Date.parse('2024-02-01T10:00:00.123Z'),
    );
    expect(lastTimeDeviation()).toBe(0);
  });

  it('a record with a value that names no instant is `invalid-resource`, naming the field', () => {
    const c = compute([
      essms(),
      ...accompaniedPerson('p'),
      sejour({ id: 'year0', patient: 'p', org: 'essms', start: '0000-01-01' }),
      usage({
        id: 'far-east',
        kind: 'mssante-message-sent',
        recorded: '2024-02-01T10:00:00+14:30',
        org: 'essms',
      }),
    ]);
    expect(findings(c, 'invalid-resource').map((f) => [f.resourceType, f.id, f.message])).toEqual([
      ['AuditEvent', 'far-east', 'recorded: not a valid FHIR date, dateTime or instant'],
      ['Encounter', 'year0', 'period.start: not a valid FHIR date, dateTime or instant'],
    ]);
    expect(counts(c, FINESS.paris, 'taux-mssante')).toEqual([0, 1]);
  });

  it('values without seconds or with 12 fractional digits are used, and reported once per field with their count', () => {
    const c = compute([
      essms(),
      ...accompaniedPerson('p'),
      evenement({ id: 'e1', patient: 'p', start: '2024-02-01T10:00+01:00' }),
      evenement({ id: 'e2', patient: 'p', start: '2024-02-02T10:00+01:00' }),
      evenement({ id: 'e3', patient: 'p', start: '2024-02-03T10:00:00.123456789012+01:00' }),
      usage({ id: 'm', kind: 'mssante-message-sent', recorded: '2024-02-01T10:00Z', org: 'essms' }),
    ]);
    expect(counts(c, FINESS.paris, 'taux-evenement-agenda')).toEqual([1, 1]);
    expect(counts(c, FINESS.paris, 'taux-mssante')).toEqual([1, 1]);
    expect(findings(c, 'time-format')).toEqual([
      {
        code: 'time-format',
        resourceType: 'AuditEvent',
        field: 'AuditEvent.recorded',
        count: 1,
        message: "1 value outside FHIR's grammar (no seconds): used as written",
      },
      {
        code: 'time-format',
        resourceType: 'Encounter',
        field: 'Encounter.period.start',
        count: 3,
        message:
          "3 values outside FHIR's grammar (no seconds, more than 9 fractional digits): used as written",
      },
    ]);
    expect(c.results.dataQuality.warnings.filter((w) => w.code === 'time-format')).toHaveLength(2);
  });

  it('a time without its offset is taken as local time and reported once per field with its count (audit G7)', () => {
    // Floating like a date alone (the ESSMS's zone is applied later): 23 h 30 after that date's start.
    const dayStart = parseFhirTime('2024-01-14', 'start');
    const floating = parseFhirTime('2024-01-14T23:30:00', 'start');
    expect(lastTimeDeviation()).toBe(TIME_DEVIATIONS.noOffset);
    expect(floating - dayStart).toBe((23 * 60 + 30) * 60_000);
    expect(parseFhirTime('2024-01-14T23:30', 'start')).not.toBeNaN();
    expect(lastTimeDeviation()).toBe(TIME_DEVIATIONS.noSeconds | TIME_DEVIATIONS.noOffset);
    // A date alone has no time, so needs no offset.
    parseFhirTime('2024-01-14', 'start');
    expect(lastTimeDeviation()).toBe(0);
    const c = compute([
      essms(),
      ...accompaniedPerson('p'),
      usage({ id: 'm1', kind: 'mssante-message-sent', recorded: '2024-01-14T23:30:00', org: 'essms' }),
      usage({ id: 'm2', kind: 'mssante-message-sent', recorded: '2024-02-01T10:00:00', org: 'essms' }),
    ]);
    expect(counts(c, FINESS.paris, 'taux-mssante')).toEqual([2, 1]);
    expect(findings(c, 'time-format')).toEqual([
      {
        code: 'time-format',
        resourceType: 'AuditEvent',
        field: 'AuditEvent.recorded',
        count: 2,
        message:
          "2 values outside FHIR's grammar (a time without its offset, taken as the ESSMS's local time): used as written",
      },
    ]);
  });
});
