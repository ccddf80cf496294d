import { describe, expect, it } from 'vitest';
import { ADJECTIVES, NOUNS, count, countWith, frenchInteger, frenchList, nounFor, verb } from './plural.js';

describe('French plurals and agreement', () => {
  it('writes zero as aucun/aucune with the singular, one in the singular, two and more in the plural', () => {
    expect(count(0, NOUNS.entry)).toBe('aucune entrée');
    expect(count(1, NOUNS.entry)).toBe('1 entrée');
    expect(count(2, NOUNS.entry)).toBe('2 entrées');
    expect(count(0, NOUNS.problem)).toBe('aucun problème');
    expect(count(1, NOUNS.warning)).toBe('1 avertissement');
    expect(count(3, NOUNS.warning)).toBe('3 avertissements');
    expect(count(12345, NOUNS.record)).toBe('12\u202f345 enregistrements');
    expect(count(2, NOUNS.organisation)).toBe('2 organismes gestionnaires');
    // Invariable nouns stay invariable.
    expect(count(5, NOUNS.essms)).toBe('5 ESSMS');
  });

  it('makes adjectives and verbs agree in gender and number', () => {
    expect(countWith(1, NOUNS.entry, ADJECTIVES.intact)).toBe('1 entrée intacte');
    expect(countWith(6, NOUNS.entry, ADJECTIVES.intact)).toBe('6 entrées intactes');
    expect(countWith(0, NOUNS.entry, ADJECTIVES.intact)).toBe('aucune entrée intacte');
    expect(countWith(1, NOUNS.run, ADJECTIVES.recomputed)).toBe('1 calcul recalculé');
    expect(countWith(3, NOUNS.run, ADJECTIVES.recomputed)).toBe('3 calculs recalculés');
    expect(countWith(2, NOUNS.person, ADJECTIVES.concerned)).toBe('2 personnes concernées');
    expect(verb(1, 'est', 'sont')).toBe('est');
    expect(verb(0, 'est', 'sont')).toBe('est');
    expect(verb(2, 'est', 'sont')).toBe('sont');
    expect(nounFor(1, NOUNS.page)).toBe('page');
  });

  it('never writes a parenthesised plural', () => {
    for (const n of Object.values(NOUNS)) {
      for (const value of [0, 1, 2, 10]) expect(count(value, n)).not.toMatch(/\(s\)|\(e\)/);
    }
  });

  it('groups thousands and joins lists the French way', () => {
    expect(frenchInteger(999)).toBe('999');
    expect(frenchInteger(1000)).toBe('1\u202f000');
    expect(frenchList([])).toBe('');
    expect(frenchList(['A'])).toBe('A');
    expect(frenchList(['A', 'B'])).toBe('A et B');
    expect(frenchList(['A', 'B', 'C'])).toBe('A, B et C');
  });
});
