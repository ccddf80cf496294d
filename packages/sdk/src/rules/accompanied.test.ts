import { describe, expect, it } from 'vitest';
import { explainEstablishment } from '../index.js';
import {
  episodeOfCare,
  evenement,
  FINESS,
  organisation,
  patient,
  projetPersonnalise,
  sejour,
} from '../test-support/builders.js';
import { compute, counts, essms, establishment, findings, population } from '../test-support/compute.js';

const person = patient({ id: 'p', lastUpdated: '2024-02-01T10:00:00+01:00' });
const accompanied = (c: ReturnType<typeof compute>) => counts(c, FINESS.paris, 'taux-dossiers-actifs')[1];

describe('séjour overlap: start < P.end and (end absent or end ≥ P.start)', () => {
  // P in Paris for D = 2024-04-01: [2023-12-31T23:00Z, 2024-03-31T22:00Z).
  it.each([
    ['open, started long before', '2020-01-01', undefined, 1],
    ['starting exactly at P.end', '2024-03-31T22:00:00Z', undefined, 0],
    ['starting one second before P.end', '2024-03-31T21:59:59Z', undefined, 1],
    ['ending exactly at P.start', '2023-06-01', '2023-12-31T23:00:00Z', 1],
    ['ending one second before P.start', '2023-06-01', '2023-12-31T22:59:59Z', 0],
    ['inside P', '2024-02-01', '2024-02-10', 1],
    ['covering P', '2023-06-01', '2024-06-01', 1],
    ['entirely after P', '2024-04-02', '2024-05-01', 0],
  ])('%s', (_name, start, end, expected) => {
    const c = compute([
      essms(),
      person,
      sejour({ id: 's', patient: 'p', org: 'essms', start, ...(end ? { end } : {}) }),
    ]);
    expect(accompanied(c)).toBe(expected);
  });
});

describe('séjour statuses', () => {
  it.each([
    ['planned', 0],
    ['cancelled', 0],
    ['entered-in-error', 0],
    ['in-progress', 1],
    ['finished', 1],
    ['arrived', 1],
    ['onleave', 1],
  ])('Encounter %s → %i', (status, expected) => {
    const c = compute([
      essms(),
      person,
      sejour({ id: 's', patient: 'p', org: 'essms', start: '2023-06-01', status }),
    ]);
    expect(accompanied(c)).toBe(expected);
  });

  it.each([
    ['waitlist', 0],
    ['planned', 0],
    ['cancelled', 0],
    ['entered-in-error', 0],
    ['active', 1],
    ['onhold', 1],
    ['finished', 1],
  ])('EpisodeOfCare %s → %i', (status, expected) => {
    const c = compute([
      essms(),
      person,
      episodeOfCare({ id: 'eoc', patient: 'p', org: 'essms', start: '2023-06-01', status }),
    ]);
    expect(accompanied(c)).toBe(expected);
  });
});

describe('séjour data errors', () => {
  it('a séjour ending before it starts is a `period-inverted` error and does not count', () => {
    const c = compute([
      essms(),
      person,
      sejour({ id: 's', patient: 'p', org: 'essms', start: '2024-02-10', end: '2024-02-01' }),
    ]);
    expect(accompanied(c)).toBe(0);
    expect(findings(c, 'period-inverted')).toEqual([
      expect.objectContaining({ resourceType: 'Encounter', id: 's' }),
    ]);
    expect(c.results.dataQuality.errors.map((e) => e.code)).toContain('period-inverted');
  });

  it('a séjour without a start is a `period-missing` error and does not count', () => {
    const c = compute([essms(), person, sejour({ id: 's', patient: 'p', org: 'essms', end: '2024-02-01' })]);
    expect(accompanied(c)).toBe(0);
    expect(findings(c, 'period-missing')).toEqual([
      expect.objectContaining({ resourceType: 'Encounter', id: 's' }),
    ]);
  });

  it('an EpisodeOfCare without a start is `period-missing` too', () => {
    const c = compute([essms(), person, episodeOfCare({ id: 'eoc', patient: 'p', org: 'essms' })]);
    expect(findings(c, 'period-missing')).toEqual([
      expect.objectContaining({ resourceType: 'EpisodeOfCare', id: 'eoc' }),
    ]);
  });

  it('a séjour whose provider is not in the input is `unknown-establishment`', () => {
    const c = compute([
      essms(),
      person,
      sejour({ id: 's', patient: 'p', org: 'elsewhere', start: '2023-06-01' }),
    ]);
    expect(accompanied(c)).toBe(0);
    expect(findings(c, 'unknown-establishment')).toEqual([
      expect.objectContaining({ resourceType: 'Encounter', id: 's' }),
    ]);
  });

  it('a séjour whose provider has no usable FINESS is `unknown-establishment`, and the provider is not reported', () => {
    const c = compute([
      organisation({ id: 'nofiness' }),
      person,
      sejour({ id: 's', patient: 'p', org: 'nofiness', start: '2023-06-01' }),
    ]);
    expect(c.results.establishments).toEqual([]);
    expect(findings(c, 'unknown-establishment')).toEqual([expect.objectContaining({ id: 's' })]);
  });

  it('a séjour whose person is not in the input is `unknown-subject`', () => {
    const c = compute([essms(), sejour({ id: 's', patient: 'ghost', org: 'essms', start: '2023-06-01' })]);
    expect(findings(c, 'unknown-subject')).toEqual([
      expect.objectContaining({ resourceType: 'Encounter', id: 's' }),
    ]);
  });
});

describe('recognising a séjour', () => {
  it('by the TDDUI profile, by the séjour identifier system, or by the fallback (no partOf, a serviceProvider)', () => {
    for (const via of ['profile', 'identifier', 'fallback'] as const) {
      const c = compute([
        essms(),
        person,
        sejour({ id: 's', patient: 'p', org: 'essms', start: '2023-06-01', via }),
      ]);
      expect({ via, accompanied: accompanied(c) }).toEqual({ via, accompanied: 1 });
    }
  });

  it('a versioned TDDUI profile (`…|2.3.0`) is recognised', () => {
    const s = sejour({ id: 's', patient: 'p', org: 'essms', start: '2023-06-01' });
    (s.meta as { profile: string[] }).profile = [`${(s.meta as { profile: string[] }).profile[0]}|2.3.0`];
    s.partOf = { reference: 'Encounter/unrelated' }; // the fallback would not apply
    expect(accompanied(compute([essms(), person, s]))).toBe(1);
  });

  it('an Encounter without profile, identifier, or serviceProvider is not a séjour', () => {
    const s = sejour({ id: 's', patient: 'p', org: 'essms', start: '2023-06-01', via: 'fallback' });
    delete s.serviceProvider;
    const c = compute([essms(), person, s]);
    expect(accompanied(c)).toBe(0);
    expect(c.results.dataQuality.errors).toEqual([]);
  });

  it('an Encounter recognised as an event (profile) is never a séjour, even with a serviceProvider', () => {
    const ev = evenement({ id: 'ev', patient: 'p', start: '2024-02-01T10:00:00+01:00' });
    ev.serviceProvider = { reference: 'Organization/essms' };
    expect(accompanied(compute([essms(), person, ev]))).toBe(0);
  });

  it('a fallback Encounter whose partOf is a séjour is an event, not a second séjour', () => {
    const records = [
      essms(),
      essms('other', FINESS.paris2),
      person,
      sejour({ id: 'stay', patient: 'p', org: 'essms', start: '2023-06-01' }),
      // Not profiled, with a serviceProvider: would be a séjour at `other` without the partOf rule.
      {
        ...evenement({
          id: 'visit',
          patient: 'p',
          start: '2024-02-01T10:00:00+01:00',
          via: 'partOf',
          partOf: 'stay',
        }),
        serviceProvider: { reference: 'Organization/other' },
      },
    ];
    const c = compute(records);
    expect(counts(c, FINESS.paris2, 'taux-dossiers-actifs')[1]).toBe(0);
    expect(counts(c, FINESS.paris, 'taux-evenement-agenda')).toEqual([1, 1]);
  });
});

const dossiers = (c: ReturnType<typeof compute>, finess: string = FINESS.paris) =>
  establishment(c, finess).indicators['taux-dossiers-actifs'];

describe('denominatorScope, file active and dossiers actifs', () => {
  // p1 accompanied in P; p2 left in 2023 (not in the year of P's last day); p3 accompanied in January 2024
  // only... P for D = 2024-07-01 is April–June 2024, so p3 is in the year but not in P.
  const records = [
    essms(),
    patient({ id: 'p1', lastUpdated: '2024-05-01T10:00:00+02:00' }),
    sejour({ id: 's1', patient: 'p1', org: 'essms', start: '2023-01-01' }),
    patient({ id: 'p2', lastUpdated: '2024-05-01T10:00:00+02:00' }),
    sejour({ id: 's2', patient: 'p2', org: 'essms', start: '2022-01-01', end: '2023-12-31' }),
    patient({ id: 'p3', lastUpdated: '2024-05-01T10:00:00+02:00' }),
    sejour({ id: 's3', patient: 'p3', org: 'essms', start: '2023-01-01', end: '2024-01-31' }),
    projetPersonnalise({ id: 'pp3', patient: 'p3' }),
    evenement({ id: 'ev3', patient: 'p3', start: '2024-05-02' }),
  ];
  const D2 = '2024-07-01';

  it('`period` (default): the denominator is the persons accompanied in P', () => {
    const c = compute(records, { measureDate: D2 });
    expect(c.results.denominatorScope).toBe('period');
    expect(dossiers(c)).toMatchObject({ numerator: 1, denominator: 1 });
    expect(establishment(c, FINESS.paris).fileActive).toBe(2);
  });

  it('`calendar-year`: the denominator is the persons accompanied in the year of P’s last day, and every numerator is drawn from them', () => {
    const c = compute(records, { measureDate: D2, denominatorScope: 'calendar-year' });
    expect(c.results.denominatorScope).toBe('calendar-year');
    const e = establishment(c, FINESS.paris);
    // p3 (accompanied in January 2024, not in P) was updated in P: its dossier is active in the year's scope.
    expect(e.indicators['taux-dossiers-actifs']).toMatchObject({ numerator: 2, denominator: 2 });
    expect(e.indicators['taux-mssante'].denominator).toBe(2);
    expect(e.indicators['taux-dmp'].denominator).toBe(2);
    // Its projet personnalisé and its event in P count too (p1 has neither).
    expect(e.indicators['taux-projet-personnalise']).toMatchObject({ numerator: 1, denominator: 2 });
    expect(e.indicators['taux-evenement-agenda']).toMatchObject({ numerator: 1, denominator: 2 });
    expect(e.dossiersActifs).toBe(2);
    expect(e.fileActive).toBe(2);
    const explanation = explainEstablishment(c, FINESS.paris);
    expect(explanation?.indicators['taux-projet-personnalise']?.outOfNumerator).toEqual([
      { person: 'Patient/p1', reason: 'no-projet-personnalise' },
    ]);
    expect(explanation?.persons.map((p) => p.person)).toEqual(['Patient/p1', 'Patient/p3']);
  });

  // Issue 9 §1, as reproduced on main: D = 2024-01-15, P = 2023-10-15 … 2024-01-14, the year is 2024.
  describe('`calendar-year` when P straddles two years (issue 9 §1)', () => {
    const D3 = '2024-01-15';
    const straddling = [
      essms(),
      // a and c: accompanied in P, left in December 2023 (not in 2024), updated in P.
      patient({ id: 'a', lastUpdated: '2023-11-02T10:00:00+01:00' }),
      sejour({ id: 'sa', patient: 'a', org: 'essms', start: '2022-01-01', end: '2023-12-20' }),
      patient({ id: 'c', lastUpdated: '2023-12-02T10:00:00+01:00' }),
      sejour({ id: 'sc', patient: 'c', org: 'essms', start: '2022-01-01', end: '2023-12-22' }),
      evenement({ id: 'evc', patient: 'c', start: '2023-12-01' }),
      // b: admitted on 2024-01-05, never updated in P.
      patient({ id: 'b' }),
      sejour({ id: 'sb', patient: 'b', org: 'essms', start: '2024-01-05' }),
    ];

    it('a person who left in December of the year before is in no numerator: 0/1, not 200 %', () => {
      const e = establishment(
        compute(straddling, { measureDate: D3, denominatorScope: 'calendar-year' }),
        FINESS.paris,
      );
      expect(e.indicators['taux-dossiers-actifs']).toMatchObject({ numerator: 0, denominator: 1, rate: 0 });
      expect(e.indicators['taux-evenement-agenda']).toMatchObject({ numerator: 0, denominator: 0 });
      expect(e.dossiersActifs).toBe(0);
    });

    it('a person admitted in the year after D whose dossier was updated in P counts: 1/1', () => {
      const e = establishment(
        compute(
          [
            essms(),
            patient({ id: 'late', lastUpdated: '2024-01-10T10:00:00+01:00' }),
            sejour({ id: 'slate', patient: 'late', org: 'essms', start: '2024-02-01' }),
          ],
          { measureDate: D3, denominatorScope: 'calendar-year' },
        ),
        FINESS.paris,
      );
      expect(e.indicators['taux-dossiers-actifs']).toMatchObject({ numerator: 1, denominator: 1, rate: 100 });
    });

    it('`period` is unchanged: the persons accompanied in P', () => {
      const e = establishment(compute(straddling, { measureDate: D3 }), FINESS.paris);
      expect(e.indicators['taux-dossiers-actifs']).toMatchObject({ numerator: 2, denominator: 3 });
      expect(e.indicators['taux-evenement-agenda']).toMatchObject({ numerator: 1, denominator: 2 });
    });
  });

  it('`dossiersActifs` equals the numerator of taux-dossiers-actifs, whatever the scope', () => {
    for (const denominatorScope of ['period', 'calendar-year'] as const) {
      const e = establishment(compute([essms(), ...population(5, 3)], { denominatorScope }), FINESS.paris);
      expect(e.dossiersActifs).toBe(3);
      expect(e.dossiersActifs).toBe(e.indicators['taux-dossiers-actifs'].numerator);
    }
  });

  it('file active: persons accompanied at least once in the calendar year of P’s last day, each once', () => {
    const c = compute([
      essms(),
      patient({ id: 'a' }),
      sejour({ id: 'a1', patient: 'a', org: 'essms', start: '2024-01-05', end: '2024-01-20' }),
      sejour({ id: 'a2', patient: 'a', org: 'essms', start: '2024-02-05', end: '2024-02-20' }),
      patient({ id: 'b' }),
      sejour({ id: 'b1', patient: 'b', org: 'essms', start: '2023-01-05', end: '2023-12-31' }),
    ]);
    expect(establishment(c, FINESS.paris).fileActive).toBe(1);
  });
});
