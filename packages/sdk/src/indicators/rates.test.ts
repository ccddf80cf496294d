import { describe, expect, it } from 'vitest';
import { computeIndicatorsSync, explainEstablishment } from '../index.js';
import {
  evenement,
  FINESS,
  organisation,
  patient,
  projetPersonnalise,
  sejour,
} from '../test-support/builders.js';
import { accompaniedPerson, compute, establishment, essms, findings } from '../test-support/compute.js';

/** `accompanied` persons at `org`, of whom the first `active` have an update in P. */
function population(
  accompanied: number,
  active: number,
  org = 'essms',
  prefix = org,
): Record<string, unknown>[] {
  const records: Record<string, unknown>[] = [];
  for (let i = 0; i < accompanied; i++)
    records.push(...accompaniedPerson(`${prefix}-${i}`, org, { updated: i < active }));
  return records;
}
const dossiers = (c: ReturnType<typeof compute>, finess: string = FINESS.paris) =>
  establishment(c, finess).indicators['taux-dossiers-actifs'];

describe('rates', () => {
  it('`met` compares the exact rate: 809/899 = 89.99 % displays 90.0 but is not met', () => {
    const c = compute([essms(), ...population(899, 809)]);
    expect(dossiers(c)).toEqual({ numerator: 809, denominator: 899, rate: 90, target: 90, met: false });
  });

  it('exactly the target is met: 9/10', () => {
    expect(dossiers(compute([essms(), ...population(10, 9)]))).toEqual({
      numerator: 9,
      denominator: 10,
      rate: 90,
      target: 90,
      met: true,
    });
  });

  it.each([
    [3, 1, 33.3],
    [3, 2, 66.7],
    [8, 1, 12.5],
    [16, 1, 6.3],
    [7, 7, 100],
    [6, 0, 0],
  ])('rate rounded to one decimal: %i accompanied, %i active → %d', (accompanied, active, rate) => {
    expect(dossiers(compute([essms(), ...population(accompanied, active)])).rate).toBe(rate);
  });

  it('zero denominator: rate null (not 0, not 100), target not met, and a warning says why', () => {
    const c = compute([essms()]);
    expect(dossiers(c)).toEqual({ numerator: 0, denominator: 0, rate: null, target: 90, met: false });
    expect(findings(c, 'empty-denominator')).toHaveLength(1);
  });

  it('persons accompanied but no active dossier: the projet personnalisé and agenda rates are null, and a warning says why', () => {
    const c = compute([essms(), ...population(3, 0)]);
    const e = establishment(c, FINESS.paris);
    expect(dossiers(c)).toMatchObject({ numerator: 0, denominator: 3, rate: 0 });
    for (const id of ['taux-projet-personnalise', 'taux-evenement-agenda'] as const)
      expect(e.indicators[id]).toEqual({ numerator: 0, denominator: 0, rate: null, target: 90, met: false });
    const warnings = findings(c, 'empty-denominator');
    expect(warnings.map((w) => w.finess)).toEqual([FINESS.paris]);
    expect(warnings[0]?.message).toContain('no active dossier');
  });

  it('active dossiers but none with an event: the agenda rate is 0, not null', () => {
    const r = establishment(compute([essms(), ...population(2, 2)]), FINESS.paris).indicators[
      'taux-evenement-agenda'
    ];
    expect(r).toEqual({ numerator: 0, denominator: 2, rate: 0, target: 90, met: false });
  });

  it('targets: 90 % for the three DUI indicators, 70 % for MSSanté and DMP', () => {
    const e = establishment(compute([essms()]), FINESS.paris);
    expect(
      Object.fromEntries(
        Object.entries(e.indicators)
          .filter(([, v]) => 'target' in v)
          .map(([k, v]) => [k, (v as { target: number }).target]),
      ),
    ).toEqual({
      'taux-dossiers-actifs': 90,
      'taux-projet-personnalise': 90,
      'taux-evenement-agenda': 90,
      'taux-mssante': 70,
      'taux-dmp': 70,
    });
  });
});

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

  it('`calendar-year`: the denominator is the persons accompanied in the year of P’s last day; numerators keep their meaning', () => {
    const c = compute(records, { measureDate: D2, denominatorScope: 'calendar-year' });
    expect(c.results.denominatorScope).toBe('calendar-year');
    const e = establishment(c, FINESS.paris);
    expect(e.indicators['taux-dossiers-actifs']).toMatchObject({ numerator: 1, denominator: 2 });
    expect(e.indicators['taux-mssante'].denominator).toBe(2);
    expect(e.indicators['taux-dmp'].denominator).toBe(2);
    // p3 is not accompanied in P: not an active dossier, so its projet personnalisé and event do not count.
    expect(e.indicators['taux-projet-personnalise']).toMatchObject({ numerator: 0, denominator: 1 });
    expect(e.fileActive).toBe(2);
    expect(explainEstablishment(c, FINESS.paris)?.indicators['taux-dossiers-actifs']?.outOfNumerator).toEqual(
      [{ person: 'Patient/p3', reason: 'not-accompanied-in-period' }],
    );
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

describe('Vérification d’Aptitude and the roll-up to the organisme gestionnaire', () => {
  it('vaReady when the three DUI indicators are provided and non-zero', () => {
    const c = compute([
      essms(),
      ...population(2, 2),
      projetPersonnalise({ id: 'pp', patient: 'essms-0' }),
      evenement({ id: 'ev', patient: 'essms-1', start: '2024-03-01' }),
    ]);
    expect(establishment(c, FINESS.paris)).toMatchObject({ vaReady: true, vaReason: null });
  });

  it('not vaReady, with the reason, when one of them is zero', () => {
    const c = compute([essms(), ...population(2, 2), projetPersonnalise({ id: 'pp', patient: 'essms-0' })]);
    const e = establishment(c, FINESS.paris);
    expect(e.vaReady).toBe(false);
    expect(e.vaReason).toContain('taux-evenement-agenda');
    expect(e.vaReason).not.toContain('taux-projet-personnalise');
  });

  it('not vaReady when nobody is accompanied (not provided)', () => {
    const e = establishment(compute([essms()]), FINESS.paris);
    expect(e.vaReady).toBe(false);
    expect(e.vaReason).toMatch(/not provided/);
  });

  it('the OG rate is weighted (sum of numerators / sum of denominators), never an average of rates', () => {
    // ESSMS A: 1/1 = 100 %; ESSMS B: 1/9 = 11.1 %. Average of rates 55.6 %; weighted 2/10 = 20 %.
    const c = compute([
      organisation({ id: 'og', finess: FINESS.parisOg, type: 'FINEJ', name: 'Association' }),
      essms('a', FINESS.paris, { partOf: 'og' }),
      essms('b', FINESS.paris2, { partOf: 'og' }),
      ...population(1, 1, 'a'),
      ...population(9, 1, 'b'),
    ]);
    const og = c.results.organisations.find((o) => o.finess === FINESS.parisOg);
    expect(og?.establishments).toEqual([FINESS.paris, FINESS.paris2]);
    expect(og?.indicators['taux-dossiers-actifs']).toEqual({
      numerator: 2,
      denominator: 10,
      rate: 20,
      target: 90,
      met: false,
    });
    expect(og?.dossiersActifs).toBe(2);
    expect(og?.fileActive).toBe(10);
  });

  it('a person accompanied by two ESSMS of one OG counts in each', () => {
    const c = compute([
      organisation({ id: 'og', finess: FINESS.parisOg, type: 'FINEJ' }),
      essms('a', FINESS.paris, { partOf: 'og' }),
      essms('b', FINESS.paris2, { partOf: 'og' }),
      ...accompaniedPerson('p', 'a'),
      sejour({ id: 'sb', patient: 'p', org: 'b', start: '2023-06-01' }),
    ]);
    expect(c.results.organisations[0]?.indicators['taux-dossiers-actifs']).toMatchObject({
      numerator: 2,
      denominator: 2,
    });
  });

  it('an ESSMS without an OG is not rolled up', () => {
    expect(compute([essms()]).results.organisations).toEqual([]);
  });

  it('establishments are sorted by FINESS', () => {
    const c = compute([essms('z', FINESS.reunion), essms('y', FINESS.paris2), essms('x', FINESS.paris)]);
    expect(c.results.establishments.map((e) => e.finess)).toEqual([
      FINESS.paris,
      FINESS.paris2,
      FINESS.reunion,
    ]);
  });
});

describe('organisme gestionnaire named only by identifier', () => {
  it('an ESSMS whose partOf is a FINESS identifier rolls up under that FINESS juridique', () => {
    const { results } = computeIndicatorsSync(
      [
        {
          resourceType: 'Organization',
          id: 'et',
          identifier: [
            {
              system: 'https://finess.esante.gouv.fr',
              value: '970400024',
              type: { coding: [{ code: 'FINEG' }] },
            },
          ],
          partOf: { identifier: { system: 'https://finess.esante.gouv.fr', value: '970408589' } },
        },
      ],
      { measureDate: '2024-04-01' },
    );
    expect(results.establishments[0]?.organisation).toBe('970408589');
    expect(results.organisations.map((o) => o.finess)).toEqual(['970408589']);
  });
});
