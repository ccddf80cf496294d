import { describe, expect, it } from 'vitest';
import { timezoneForFiness } from '../index.js';
import { evenement, FINESS, patient, sejour, usage } from '../test-support/builders.js';
import {
  accompaniedPerson,
  compute,
  counts,
  essms,
  establishment,
  findings,
} from '../test-support/compute.js';

/** Messages sent by each ESSMS at the given instants: the simplest per-ESSMS count of "in P". */
function messagesAt(instants: string[], orgs: { id: string; finess: string }[], measureDate = '2024-04-01') {
  const records: Record<string, unknown>[] = [];
  for (const org of orgs) {
    records.push(essms(org.id, org.finess));
    instants.forEach((at, i) =>
      records.push(
        usage({ id: `${org.id}-msg-${i}`, kind: 'mssante-message-sent', recorded: at, org: org.id }),
      ),
    );
  }
  return compute(records, { measureDate });
}

const paris = { id: 'paris', finess: FINESS.paris };
const reunion = { id: 'reunion', finess: FINESS.reunion };

describe('local time: P is computed in the ESSMS’s own time zone', () => {
  it('Réunion (UTC+4): 2024-03-31T21:30:00Z is 2024-04-01 01:30 locally, outside P; in Paris it is inside', () => {
    const c = messagesAt(['2024-03-31T21:30:00Z'], [paris, reunion]);
    expect(counts(c, FINESS.reunion, 'taux-mssante')[0]).toBe(0);
    expect(counts(c, FINESS.paris, 'taux-mssante')[0]).toBe(1);
    expect(establishment(c, FINESS.reunion).timezone).toBe('Indian/Reunion');
  });

  it('Réunion: 2023-12-31T20:30:00Z is already 1 January locally (in P); in Paris it is still 31 December', () => {
    const c = messagesAt(['2023-12-31T20:30:00Z'], [paris, reunion]);
    expect(counts(c, FINESS.reunion, 'taux-mssante')[0]).toBe(1);
    expect(counts(c, FINESS.paris, 'taux-mssante')[0]).toBe(0);
  });

  it('person-level rules use the zone of the ESSMS that accompanies the person', () => {
    const records = [
      essms('paris', FINESS.paris),
      essms('reunion', FINESS.reunion),
      ...accompaniedPerson('p1', 'paris'),
      sejour({ id: 'sej-p1-reunion', patient: 'p1', org: 'reunion', start: '2023-06-01' }),
      evenement({ id: 'ev1', patient: 'p1', start: '2024-03-31T21:30:00Z' }),
    ];
    const c = compute(records);
    expect(counts(c, FINESS.paris, 'taux-evenement-agenda')).toEqual([1, 1]);
    expect(counts(c, FINESS.reunion, 'taux-evenement-agenda')).toEqual([0, 1]);
  });

  it('Paris, summer time starts 2024-03-31 02:00→03:00: P ends at 2024-04-01T00:00+02:00 = 2024-03-31T22:00Z', () => {
    const c = messagesAt(
      ['2024-03-31T21:59:59Z', '2024-03-31T22:00:00Z', '2024-03-31T23:30:00+01:00'],
      [paris],
    );
    // 21:59:59Z = 23:59:59 local (counts); 22:00Z = midnight local (D, excluded); 23:30+01:00 = 22:30Z (excluded).
    expect(counts(c, FINESS.paris, 'taux-mssante')[0]).toBe(1);
  });

  it('Paris, winter time: P starts 2024-01-01T00:00+01:00 = 2023-12-31T23:00Z', () => {
    const c = messagesAt(['2023-12-31T22:59:59Z', '2023-12-31T23:00:00Z'], [paris]);
    expect(counts(c, FINESS.paris, 'taux-mssante')[0]).toBe(1);
  });

  it('Paris, D = 2023-11-01 across the October change (2023-10-29): P = 2023-08-01T00:00+02:00 … 2023-11-01T00:00+01:00', () => {
    const c = messagesAt(
      [
        '2023-07-31T21:59:59Z', // 23:59:59 on 31 July (CEST): before P
        '2023-07-31T22:00:00Z', // 00:00 on 1 August (CEST): first instant of P
        '2023-10-31T22:59:59Z', // 23:59:59 on 31 October (CET): last second of P
        '2023-10-31T23:00:00Z', // 00:00 on 1 November (CET): D, outside
        '2023-10-29T01:30:00Z', // 02:30 CET, during the repeated hour: inside
      ],
      [paris],
      '2023-11-01',
    );
    expect(establishment(c, FINESS.paris).period).toEqual({ start: '2023-08-01', end: '2023-10-31' });
    expect(counts(c, FINESS.paris, 'taux-mssante')[0]).toBe(3);
  });

  it('an instant with an offset is compared as an instant, whatever offset it was written with', () => {
    // 2024-04-01T03:59:00+06:00 = 2024-03-31T21:59Z: 23:59 in Paris (in P), 01:59 on D in Réunion (out).
    const c = messagesAt(['2024-04-01T03:59:00+06:00'], [paris, reunion]);
    expect(counts(c, FINESS.paris, 'taux-mssante')[0]).toBe(1);
    expect(counts(c, FINESS.reunion, 'taux-mssante')[0]).toBe(0);
  });

  it('a date-time without offset is local wall time in each ESSMS', () => {
    const c = messagesAt(
      ['2024-03-31T23:30:00', '2024-04-01T00:00:00', '2023-12-31T23:59:59'],
      [paris, reunion],
    );
    expect(counts(c, FINESS.paris, 'taux-mssante')[0]).toBe(1);
    expect(counts(c, FINESS.reunion, 'taux-mssante')[0]).toBe(1);
  });
});

describe('date-only values: a start is the start of the local day, an end the end of it (inclusive)', () => {
  const run = (end: string | undefined, start = '2023-06-01', finess: string = FINESS.paris) =>
    compute([
      essms('e', finess),
      patient({ id: 'p', lastUpdated: '2024-02-01T10:00:00Z' }),
      sejour({ id: 's', patient: 'p', org: 'e', start, ...(end === undefined ? {} : { end }) }),
    ]);

  it('a séjour ending on the day before P.start does not overlap P', () => {
    expect(counts(run('2023-12-31'), FINESS.paris, 'taux-dossiers-actifs')[1]).toBe(0);
  });

  it('a séjour ending on P.start (date-only) overlaps P: the end of that local day is inclusive', () => {
    expect(counts(run('2024-01-01'), FINESS.paris, 'taux-dossiers-actifs')[1]).toBe(1);
    expect(
      counts(run('2024-01-01', '2023-06-01', FINESS.reunion), FINESS.reunion, 'taux-dossiers-actifs')[1],
    ).toBe(1);
  });

  it('a séjour starting on the last day of P overlaps; one starting on D does not', () => {
    expect(counts(run(undefined, '2024-03-31'), FINESS.paris, 'taux-dossiers-actifs')[1]).toBe(1);
    expect(counts(run(undefined, '2024-04-01'), FINESS.paris, 'taux-dossiers-actifs')[1]).toBe(0);
  });

  it('partial dates: a séjour ending in `2023-12` does not overlap, one ending in `2024-01` does', () => {
    expect(counts(run('2023-12'), FINESS.paris, 'taux-dossiers-actifs')[1]).toBe(0);
    expect(counts(run('2024-01'), FINESS.paris, 'taux-dossiers-actifs')[1]).toBe(1);
  });

  it('a date-only séjour end compared with an instant P.start: 2023-12-31 ends at 23:59:59.999 local time', () => {
    // In Réunion the same date-only end also ends before P: the day is local wherever the ESSMS is.
    expect(
      counts(run('2023-12-31', '2023-06-01', FINESS.reunion), FINESS.reunion, 'taux-dossiers-actifs')[1],
    ).toBe(0);
  });

  it('a date-only event on the last day of P counts; on D it does not; `2024-03` counts', () => {
    const withEvent = (start: string) =>
      counts(
        compute([essms(), ...accompaniedPerson('p'), evenement({ id: 'ev', patient: 'p', start })]),
        FINESS.paris,
        'taux-evenement-agenda',
      )[0];
    expect(withEvent('2024-03-31')).toBe(1);
    expect(withEvent('2024-04-01')).toBe(0);
    expect(withEvent('2024-03')).toBe(1);
    expect(withEvent('2024-04')).toBe(0);
    expect(withEvent('2023-12-31')).toBe(0);
  });
});

describe('time zone from the FINESS number', () => {
  it.each([
    [FINESS.guadeloupe, 'America/Guadeloupe'],
    [FINESS.martinique, 'America/Martinique'],
    [FINESS.guyane, 'America/Cayenne'],
    [FINESS.reunion, 'Indian/Reunion'],
    [FINESS.stPierre, 'America/Miquelon'],
    [FINESS.mayotte, 'Indian/Mayotte'],
    [FINESS.wallis, 'Pacific/Wallis'],
    [FINESS.paris, 'Europe/Paris'],
    [FINESS.corsica, 'Europe/Paris'],
  ])('%s → %s', (finess, timezone) => {
    expect(timezoneForFiness(finess)).toEqual({ timezone, unknown: false });
    const c = compute([essms('e', finess)]);
    expect(establishment(c, finess).timezone).toBe(timezone);
    expect(findings(c, 'timezone-unknown')).toEqual([]);
  });

  it('any other `98…` number: Europe/Paris with a `timezone-unknown` warning', () => {
    expect(timezoneForFiness(FINESS.unknownOverseas)).toEqual({ timezone: 'Europe/Paris', unknown: true });
    const c = compute([essms('e', FINESS.unknownOverseas)]);
    expect(establishment(c, FINESS.unknownOverseas).timezone).toBe('Europe/Paris');
    expect(findings(c, 'timezone-unknown')).toEqual([
      expect.objectContaining({ finess: FINESS.unknownOverseas }),
    ]);
    expect(c.results.dataQuality.warnings.map((w) => w.code)).toContain('timezone-unknown');
  });

  it('timezoneOverrides set the zone of one ESSMS, change its period boundaries and silence the warning', () => {
    const records = [
      essms('e', FINESS.unknownOverseas),
      usage({ id: 'm', kind: 'mssante-message-sent', recorded: '2024-03-31T21:30:00Z', org: 'e' }),
    ];
    const plain = compute(records);
    expect(counts(plain, FINESS.unknownOverseas, 'taux-mssante')[0]).toBe(1);
    // New Caledonia (UTC+11, FINESS 988…) as an editor would configure it.
    const c = compute(records, { timezoneOverrides: { [FINESS.unknownOverseas]: 'Pacific/Noumea' } });
    expect(establishment(c, FINESS.unknownOverseas).timezone).toBe('Pacific/Noumea');
    expect(counts(c, FINESS.unknownOverseas, 'taux-mssante')[0]).toBe(0);
    expect(findings(c, 'timezone-unknown')).toEqual([]);
  });
});
