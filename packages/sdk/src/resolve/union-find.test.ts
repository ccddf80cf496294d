import { describe, expect, it } from 'vitest';
import { UnionFind } from './union-find.js';

describe('UnionFind: Patient records merged into persons', () => {
  it('a key never joined is its own set', () => {
    const sets = new UnionFind();
    expect(sets.find('Patient/a')).toBe('Patient/a');
  });

  it('joins transitively, and the smallest key is the root whatever the order of the joins', () => {
    const orders: [string, string][][] = [
      [
        ['Patient/c', 'Patient/b'],
        ['Patient/b', 'Patient/a'],
      ],
      [
        ['Patient/a', 'Patient/c'],
        ['Patient/c', 'Patient/b'],
      ],
      [
        ['Patient/b', 'Patient/c'],
        ['Patient/c', 'Patient/a'],
      ],
    ];
    for (const joins of orders) {
      const sets = new UnionFind();
      for (const [x, y] of joins) sets.union(x, y);
      for (const key of ['Patient/a', 'Patient/b', 'Patient/c']) expect(sets.find(key)).toBe('Patient/a');
    }
  });

  it('keeps separate sets apart, and joining a set with itself changes nothing', () => {
    const sets = new UnionFind();
    sets.union('Patient/a', 'Patient/b');
    sets.union('Patient/x', 'Patient/y');
    sets.union('Patient/b', 'Patient/a');
    expect(sets.find('Patient/b')).toBe('Patient/a');
    expect(sets.find('Patient/y')).toBe('Patient/x');
  });

  it('finds the root of a long chain (path compression keeps the answer)', () => {
    const sets = new UnionFind();
    const keys = Array.from({ length: 200 }, (_, i) => `Patient/${String(i).padStart(3, '0')}`);
    for (let i = keys.length - 1; i > 0; i--) sets.union(keys[i]!, keys[i - 1]!);
    for (const key of keys) expect(sets.find(key)).toBe('Patient/000');
    expect(sets.find(keys[199]!)).toBe('Patient/000');
  });
});
