import { describe, expect, it } from 'vitest';
import { compareSubjects, compareSubmission, type SubmittedReport } from './compare-figures.js';
import type { ResultsLike } from './recompute.js';

const recomputed: ResultsLike = {
  measureDate: '2024-04-01',
  denominatorScope: 'period',
  establishments: [],
  organisations: [],
  dataQuality: { errors: [], warnings: [] },
};

const fileActive = (score: number | null): SubmittedReport => ({
  index: 0,
  measure: 'file-active',
  finess: '970400024',
  populations: new Map([['initial-population', 97]]),
  score,
});

describe('compareSubmission: count (cohort) reports', () => {
  it('a submission sealed before counts dropped their score (score = the count) still matches', () => {
    expect(compareSubmission([fileActive(97)], recomputed, [fileActive(null)])).toEqual([]);
  });

  it('a count score other than the count is a difference', () => {
    expect(compareSubmission([fileActive(96)], recomputed, [fileActive(null)])).toEqual([
      'submitted MeasureReport file-active for 970400024: measureScore 96, recomputed null',
    ]);
  });
});

describe('compareSubjects', () => {
  const lists = [
    {
      finess: '970400024',
      persons: [
        { person: 'p:b', records: ['Encounter/2', 'Encounter/1'] },
        { person: 'p:a', records: [] },
      ],
      indicators: {
        'taux-dmp': { denominator: ['p:a', 'p:b'], numerator: [{ person: 'p:b', via: ['x', 'y'] }] },
      },
    },
  ];
  /** The same lists, every array in another order (order does not count). */
  const reordered = [
    {
      indicators: {
        'taux-dmp': { numerator: [{ via: ['y', 'x'], person: 'p:b' }], denominator: ['p:b', 'p:a'] },
      },
      persons: [
        { person: 'p:a', records: [] },
        { person: 'p:b', records: ['Encounter/1', 'Encounter/2'] },
      ],
      finess: '970400024',
    },
  ];

  it('finds nothing between lists that differ only in the order of their arrays', () => {
    expect(compareSubjects(lists, reordered)).toEqual([]);
    expect(compareSubjects(lists, structuredClone(lists))).toEqual([]);
  });

  it('names each difference, nested arrays taken as unordered', () => {
    const changed = structuredClone(reordered);
    changed[0]!.indicators['taux-dmp'].numerator[0]!.via = ['y', 'z'];
    changed[0]!.finess = '970400025';
    const messages = compareSubjects(lists, changed);
    expect(messages).toHaveLength(1);
    expect(messages[0]).toMatch(/^subject list \(root\): sealed \[\{"finess":"970400024",/);
    expect(messages[0]).toContain('recomputed [{"finess":"970400025",');
  });
});
