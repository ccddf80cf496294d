import { describe, expect, it } from 'vitest';
import { checkFiness, finessKey, hasValidFinessKey, isWellFormedFiness } from '../index.js';
import { FINESS } from '../test-support/builders.js';

describe('FINESS key (Luhn over the 9 digits)', () => {
  it('finessKey completes 8 digits into a number whose key checks', () => {
    expect(finessKey('97040002')).toBe(4); // 970400024, the Réunion number of indicators.md
    expect(finessKey('75000001')).toBe(0);
    for (const prefix of ['01234567', '13000001', '69000001', '99999999', '00000000']) {
      const full = `${prefix}${finessKey(prefix)}`;
      expect(hasValidFinessKey(full)).toBe(true);
      // Any other last digit fails.
      const wrong = `${prefix}${(finessKey(prefix) + 1) % 10}`;
      expect(hasValidFinessKey(wrong)).toBe(false);
    }
    expect(() => finessKey('1234567')).toThrow(RangeError);
  });

  it('every FINESS the tests use as valid passes its key; the TDDUI examples’ 480787529 fails it', () => {
    for (const [name, value] of Object.entries(FINESS)) {
      const check = checkFiness(value);
      expect({ name, problem: check.problem }).toEqual({ name, problem: name === 'tddui' ? 'key' : null });
    }
  });

  it('normalises case and surrounding spaces', () => {
    expect(checkFiness(' 2a0000010 ')).toEqual({ value: '2A0000010', problem: null, corsica: true });
  });

  it('Corsican numbers (2A, 2B) are checked for format only', () => {
    expect(checkFiness('2A0000019').problem).toBeNull();
    expect(checkFiness('2B1234567').problem).toBeNull();
    expect(checkFiness('2C1234567').problem).toBe('format');
    expect(checkFiness('2A123456').problem).toBe('format');
    expect(isWellFormedFiness('2B12345X7')).toBe(false);
  });

  it('format: 9 characters, 2 department characters then 7 digits', () => {
    for (const bad of ['75000001', '7500000100', '75000001X', 'AB0000010', '', '75 000 001']) {
      expect(checkFiness(bad).problem).toBe('format');
    }
  });
});
