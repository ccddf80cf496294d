import { describe, expect, it } from 'vitest';
import { compareSubmission, type SubmittedReport } from './compare-figures.js';
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
