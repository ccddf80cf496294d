import { describe, expect, it } from 'vitest';
import { entriesBeyondRetention } from './retention.js';

describe('entriesBeyondRetention', () => {
  it('lists entries older than the retention, and only those', () => {
    const entries = [
      { seq: 1, time: '2013-01-01T00:00:00.000Z' },
      { seq: 2, time: '2014-06-30T00:00:00.000Z' },
      { seq: 3, time: '2014-07-02T00:00:00.000Z' },
      { seq: 4, time: 'not a date' },
    ];
    expect(entriesBeyondRetention(entries, 10, new Date('2024-07-01T00:00:00Z')).map((e) => e.seq)).toEqual([
      1, 2,
    ]);
    expect(entriesBeyondRetention(entries, 20, new Date('2024-07-01T00:00:00Z'))).toEqual([]);
  });
});
