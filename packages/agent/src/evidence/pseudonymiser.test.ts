import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createPseudonymiser } from './pseudonymiser.js';

describe('createPseudonymiser', () => {
  const secret = Buffer.alloc(32, 7);
  it('is deterministic under one secret and differs across secrets and keys', () => {
    const p = createPseudonymiser(secret);
    expect(p('Patient/123')).toBe(p('Patient/123'));
    expect(p('Patient/123')).not.toBe(p('Patient/124'));
    expect(createPseudonymiser(Buffer.alloc(32, 8))('Patient/123')).not.toBe(p('Patient/123'));
  });
  it('gives p: + 22 base64url characters (HMAC-SHA256)', () => {
    expect(createPseudonymiser(secret)('Patient/123')).toMatch(/^p:[A-Za-z0-9_-]{22}$/);
    expect(createPseudonymiser(Buffer.from('key'))('The quick brown fox jumps over the lazy dog')).toBe(
      // The well-known HMAC-SHA256 vector f7bc83f4…d8, in base64url, cut to 22 characters.
      'p:97yD9DBThCSxMpjmqm-xQ-',
    );
  });
  it('gives the same pseudonyms from its bounded memory as without it, past the bound too', () => {
    const cached = createPseudonymiser(secret, 4);
    const uncached = createPseudonymiser(secret, 0);
    const keys = Array.from({ length: 40 }, (_, i) => `Encounter/${i % 13}`);
    expect(keys.map(cached)).toEqual(keys.map(uncached));
    expect(new Set(keys.map(cached)).size).toBe(13);
  });
  it('gives each key its own HMAC whatever the order keys come in (the last two asked are remembered)', () => {
    const direct = (key: string): string =>
      `p:${createHmac('sha256', secret).update(key, 'utf8').digest('base64url').slice(0, 22)}`;
    const keys = ['a', 'b', 'a', 'b', 'c', 'a', 'c', 'c', 'b', 'a', 'd', 'd', 'b', 'a', 'b'];
    for (const cacheKeys of [0, 2, 1000]) {
      const p = createPseudonymiser(secret, cacheKeys);
      expect(keys.map((k) => p(k))).toEqual(keys.map(direct));
    }
  });
  it('gives the same pseudonyms to a record’s own keys (not kept in its maps) in any order of asking', () => {
    const direct = (key: string): string =>
      `p:${createHmac('sha256', secret).update(key, 'utf8').digest('base64url').slice(0, 22)}`;
    let seed = 99;
    const random = (n: number): number => {
      seed = (seed * 48271) % 2147483647;
      return seed % n;
    };
    for (const cacheKeys of [0, 1, 3, 1000]) {
      const p = createPseudonymiser(secret, cacheKeys);
      for (let i = 0; i < 2000; i += 1) {
        const key = `${random(2) === 0 ? 'Patient' : 'Encounter'}/${random(30)}`;
        expect(random(2) === 0 ? p.own(key) : p(key)).toBe(direct(key));
      }
    }
  });
  it('refuses an empty secret', () => {
    expect(() => createPseudonymiser(Buffer.alloc(0))).toThrow(TypeError);
  });
});

describe('createPseudonymiser pseudonyms are createHmac’s', () => {
  it('on many record and person keys, ASCII or not, under secrets of every length', () => {
    for (const length of [1, 32, 64, 65, 97]) {
      const secret = Buffer.from(Array.from({ length }, (_, i) => (i * 37 + length) & 255));
      const p = createPseudonymiser(secret);
      for (let i = 0; i < 500; i += 1) {
        const key = `${i % 3 === 0 ? 'Patient' : 'Encounter'}/${i}-${'é😀\ud800x'.slice(0, i % 5)}${'k'.repeat(i % 90)}`;
        expect(p(key)).toBe(
          `p:${createHmac('sha256', secret).update(key, 'utf8').digest('base64url').slice(0, 22)}`,
        );
      }
    }
  });
});
