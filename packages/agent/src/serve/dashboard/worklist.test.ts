import { describe, expect, it } from 'vitest';
import { worklistCsv } from './csv.js';
import { EXCLUSION_REASON_LABELS } from './french-reasons.js';
import { buildWorklist, missingForTarget } from './worklist.js';

const rate = (numerator: number, denominator: number, target = 90) => ({
  numerator,
  denominator,
  rate: denominator === 0 ? null : Math.round((1000 * numerator) / denominator) / 10,
  target,
  met: denominator > 0 && (100 * numerator) / denominator >= target,
});

describe('missingForTarget', () => {
  it('is the fewest more dossiers for the exact rate to reach the target', () => {
    expect(missingForTarget(rate(4, 7))).toBe(3); // 7/7 = 100 %; 6/7 = 85.7 % is not enough
    expect(missingForTarget(rate(9, 10))).toBe(0); // exactly 90 %
    expect(missingForTarget(rate(8, 10))).toBe(1);
    expect(missingForTarget(rate(0, 3, 70))).toBe(3); // 2/3 = 66.7 % < 70 %
    expect(missingForTarget(rate(0, 0))).toBe(0);
  });
  it('never says met for a rate that only displays as the target (89.96 %)', () => {
    // 2249 / 2500 = 89.96 %: one more makes 90.0 %.
    expect(missingForTarget(rate(2249, 2500))).toBe(1);
  });
});

describe('buildWorklist and its CSV', () => {
  const explanation = {
    finess: '970407680',
    persons: [
      { person: 'Patient/b', records: ['Patient/b', 'Patient/b-old'] },
      { person: 'Patient/a', records: ['Patient/a'] },
      { person: 'Patient/=cmd', records: ['Patient/=cmd'] },
    ],
    indicators: {
      'taux-projet-personnalise': {
        denominator: ['Patient/a', 'Patient/b', 'Patient/=cmd'],
        numerator: [],
        outOfNumerator: [
          { person: 'Patient/b', reason: 'projet-personnalise-on-hold' as const },
          { person: 'Patient/a', reason: 'no-projet-personnalise' as const },
        ],
      },
    },
  };
  it('lists the dossiers out of the numerator by DUI id, sorted, with their merged records', () => {
    const worklist = buildWorklist(explanation, 'taux-projet-personnalise', rate(1, 3));
    expect(worklist.entries).toEqual([
      { dossier: 'Patient/a', records: ['Patient/a'], reason: 'no-projet-personnalise' },
      {
        dossier: 'Patient/b',
        records: ['Patient/b', 'Patient/b-old'],
        reason: 'projet-personnalise-on-hold',
      },
    ]);
    expect(worklist.missing).toBe(2);
  });
  it('writes a CSV a French spreadsheet opens, and that runs no formula', () => {
    const worklist = buildWorklist(
      {
        ...explanation,
        indicators: {
          'taux-projet-personnalise': {
            ...explanation.indicators['taux-projet-personnalise'],
            outOfNumerator: [{ person: 'Patient/=cmd', reason: 'no-projet-personnalise' as const }],
          },
        },
      },
      'taux-projet-personnalise',
      rate(0, 1),
    );
    const csv = worklistCsv(worklist, EXCLUSION_REASON_LABELS);
    expect(csv.startsWith('\ufeffdossier;dossiers_fusionnes;raison;libelle\r\n')).toBe(true);
    expect(csv).toContain('Patient/=cmd;Patient/=cmd;no-projet-personnalise;Aucun projet personnalisé');
    const formula = worklistCsv(
      {
        ...worklist,
        entries: [{ dossier: '=HYPERLINK("x")', records: [], reason: 'no-projet-personnalise' }],
      },
      EXCLUSION_REASON_LABELS,
    );
    expect(formula).toContain(`"'=HYPERLINK(""x"")"`);
  });
});
