import { describe, expect, it } from 'vitest';
import { isSdkError, MAX_ZONES, SdkOptionsError } from '../index.js';
import { evenement, FINESS, patient, projetPersonnalise } from '../test-support/builders.js';
import { accompaniedPerson, compute, counts, essms } from '../test-support/compute.js';
import {
  allZones,
  complement,
  countPerZone,
  hasZone,
  intersection,
  NO_ZONES,
  union,
  withZone,
} from './zone-set.js';

/** `n` distinct IANA zones that no FINESS number maps to (so each one is a new candidate zone). */
function otherZones(n: number): string[] {
  const zones = Intl.supportedValuesOf('timeZone').filter((z) => z.startsWith('Asia/'));
  expect(zones.length).toBeGreaterThanOrEqual(n);
  return zones.slice(0, n);
}

/** Overrides for `n` ESSMS (not in the input) each in its own zone, plus `extra`. */
function overrides(n: number, extra: Record<string, string> = {}): Record<string, string> {
  return {
    ...Object.fromEntries(otherZones(n).map((zone, i) => [`99${String(i).padStart(7, '0')}`, zone])),
    ...extra,
  };
}

describe('ZoneSet: sets of candidate time zones', () => {
  it('holds every zone up to MAX_ZONES, bit 31 included', () => {
    expect(MAX_ZONES).toBe(32);
    const all = allZones(MAX_ZONES);
    for (let zone = 0; zone < MAX_ZONES; zone++) expect(hasZone(all, zone)).toBe(true);
    expect(hasZone(withZone(NO_ZONES, 31), 31)).toBe(true);
    expect(hasZone(withZone(NO_ZONES, 31), 0)).toBe(false);
    expect(allZones(3)).not.toBe(allZones(4));
  });

  it('refuses more zones than it holds instead of wrapping onto other zones', () => {
    expect(() => allZones(MAX_ZONES + 1)).toThrow(RangeError);
  });

  it('combines: union, intersection, complement, and per-zone counts', () => {
    const a = withZone(withZone(NO_ZONES, 0), 31);
    const b = withZone(NO_ZONES, 31);
    expect(union(b, withZone(NO_ZONES, 0))).toBe(a);
    expect(intersection(a, b)).toBe(b);
    const rest = complement(b, allZones(MAX_ZONES));
    expect(hasZone(rest, 31)).toBe(false);
    expect(hasZone(rest, 30)).toBe(true);
    const counts = new Array<number>(MAX_ZONES).fill(0);
    countPerZone(counts, a);
    countPerZone(counts, NO_ZONES);
    expect(counts[0]).toBe(1);
    expect(counts[31]).toBe(1);
    expect(counts.reduce((s, n) => s + n, 0)).toBe(2);
  });
});

describe('many time zone overrides (issue 14: 24 overrides made every date-only value count nowhere)', () => {
  // A dossier updated in P by a date-only meta.lastUpdated, with a current projet personnalisé and an
  // event: with 8 FINESS zones + 24 override zones, `(1 << 32) - 1` was 0, so "every zone" was none.
  const records = [
    essms(),
    patient({ id: 'p', lastUpdated: '2024-02-15' }),
    ...accompaniedPerson('p').slice(1),
    projetPersonnalise({ id: 'pp', patient: 'p' }),
    evenement({ id: 'ev', patient: 'p', start: '2024-02-01' }),
  ];

  it('with 24 distinct overrides (32 candidate zones), a dossier updated in P counts 1/1', () => {
    const c = compute(records, { timezoneOverrides: overrides(24) });
    expect(counts(c, FINESS.paris, 'taux-dossiers-actifs')).toEqual([1, 1]);
    expect(counts(c, FINESS.paris, 'taux-projet-personnalise')).toEqual([1, 1]);
    expect(counts(c, FINESS.paris, 'taux-evenement-agenda')).toEqual([1, 1]);
  });

  it('an ESSMS in the 32nd candidate zone has its own period', () => {
    // Asia/Tokyo (UTC+9): 2024-03-31T16:00Z is already 1 April there (outside P), still March in Paris.
    const zones = overrides(23, { [FINESS.paris2]: 'Asia/Tokyo' });
    const late = '2024-03-31T16:00:00Z';
    const c = compute(
      [
        essms('paris', FINESS.paris),
        essms('tokyo', FINESS.paris2),
        patient({ id: 'a', lastUpdated: late }),
        ...accompaniedPerson('a', 'paris').slice(1),
        patient({ id: 'b', lastUpdated: late }),
        ...accompaniedPerson('b', 'tokyo').slice(1),
      ],
      { timezoneOverrides: zones },
    );
    expect(new Set(Object.values(zones)).size).toBe(24);
    expect(counts(c, FINESS.paris, 'taux-dossiers-actifs')).toEqual([1, 1]);
    expect(counts(c, FINESS.paris2, 'taux-dossiers-actifs')).toEqual([0, 1]);
  });

  it('more zones than a ZoneSet holds are refused as an option error naming timezoneOverrides', () => {
    let thrown: unknown;
    try {
      compute(records, { timezoneOverrides: overrides(25) });
    } catch (error) {
      thrown = error;
    }
    expect(isSdkError(thrown)).toBe(true);
    expect(thrown).toBeInstanceOf(SdkOptionsError);
    expect((thrown as SdkOptionsError).issues).toEqual([
      { key: 'timezoneOverrides', message: expect.stringContaining('at most 24') as unknown },
    ]);
  });

  it('overrides naming zones FINESS numbers already map to add none', () => {
    const c = compute(records, {
      timezoneOverrides: overrides(24, {
        [FINESS.paris2]: 'Indian/Reunion',
        [FINESS.paris3]: 'Europe/Paris',
      }),
    });
    expect(counts(c, FINESS.paris, 'taux-dossiers-actifs')).toEqual([1, 1]);
  });
});
