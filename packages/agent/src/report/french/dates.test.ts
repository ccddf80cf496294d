import { describe, expect, it } from 'vitest';
import {
  frenchLocalDateTime,
  frenchLongDate,
  territoryAt,
  territoryName,
  territoryWithOffset,
  utcOffsetAt,
} from './dates.js';

describe('French dates and territories', () => {
  it('writes the first of the month as 1er, other days as numbers, months in full', () => {
    expect(frenchLongDate('2024-04-01')).toBe('1er avril 2024');
    expect(frenchLongDate('2024-03-31')).toBe('31 mars 2024');
    expect(frenchLongDate('2024-02-29')).toBe('29 février 2024');
    expect(frenchLongDate('2023-08-15')).toBe('15 août 2023');
    expect(frenchLongDate('not a date')).toBe('not a date');
  });

  it('gives times on the local wall clock of the ESSMS, never in UTC', () => {
    expect(frenchLocalDateTime('2024-04-01T05:05:00Z', 'Indian/Reunion')).toBe('1er avril 2024 à 9 h 05');
    expect(frenchLocalDateTime('2024-04-01T05:05:00Z', 'Europe/Paris')).toBe('1er avril 2024 à 7 h 05');
    expect(frenchLocalDateTime('2024-04-01T02:30:00Z', 'America/Guadeloupe')).toBe('31 mars 2024 à 22 h 30');
  });

  it('names territories with their offset, not IANA zone names', () => {
    expect(territoryWithOffset('Indian/Reunion', { start: '2024-01-01', end: '2024-03-31' })).toBe(
      'La Réunion, UTC+4',
    );
    expect(territoryWithOffset('America/Guadeloupe', { start: '2024-01-01', end: '2024-03-31' })).toBe(
      'Guadeloupe, UTC\u22124',
    );
    // Summer time starts on 31 March 2024 in Paris: inside the period.
    expect(territoryWithOffset('Europe/Paris', { start: '2024-01-01', end: '2024-03-31' })).toBe(
      'France métropolitaine, UTC+1 puis UTC+2',
    );
    expect(territoryWithOffset('Europe/Paris', { start: '2023-11-01', end: '2024-01-31' })).toBe(
      'France métropolitaine, UTC+1',
    );
    expect(territoryAt('Indian/Mayotte', '2024-04-01T00:00:00Z')).toBe('Mayotte, UTC+3');
    expect(utcOffsetAt('Asia/Kolkata', new Date('2024-01-01T00:00:00Z'))).toBe('UTC+5:30');
    expect(utcOffsetAt('UTC', new Date('2024-01-01T00:00:00Z'))).toBe('UTC+0');
    // A zone overridden in the config outside the programme's territories: no IANA name either.
    expect(territoryName('Asia/Kolkata')).toBe('fuseau horaire configuré');
    expect(territoryAt('Not/AZone', '2024-04-01T00:00:00Z')).toBe('fuseau horaire configuré, UTC+2');
  });
});
