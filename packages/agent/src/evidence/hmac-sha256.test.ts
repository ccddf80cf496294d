import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createHmacSha256 } from './hmac-sha256.js';

/** A seeded generator (xorshift32): the same cases every run, so a failure can be replayed. */
function generator(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 0x100000000;
  };
}

/** Strings of every length up to a few blocks, mixing ASCII, accents, astral characters and lone surrogates. */
function randomText(random: () => number, maxLength: number): string {
  const pieces = [
    'a',
    'Z',
    '/',
    '|',
    '-',
    '0',
    'é',
    'ß',
    '€',
    '中',
    '😀',
    '\ud800',
    '\udfff',
    '\u0000',
    '\u007f',
    '\u0080',
  ];
  const length = Math.floor(random() * (maxLength + 1));
  let text = '';
  for (let i = 0; i < length; i += 1) {
    text +=
      random() < 0.7
        ? String.fromCharCode(0x20 + Math.floor(random() * 95))
        : (pieces[Math.floor(random() * pieces.length)] as string);
  }
  return text;
}

const reference = (key: Uint8Array, message: string): string =>
  createHmac('sha256', key).update(message, 'utf8').digest('base64url');

describe('createHmacSha256', () => {
  it('gives the RFC 4231 test vectors (key shorter than, equal to and longer than the block)', () => {
    // RFC 4231 test case 2 and 6 (the second has a 131-byte key, hashed first per RFC 2104).
    const hex = (text: string): string =>
      Buffer.from(createHmacSha256(Buffer.from('Jefe')).base64url(text, 43), 'base64url').toString('hex');
    expect(hex('what do ya want for nothing?')).toBe(
      '5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843',
    );
    const long = createHmacSha256(Buffer.alloc(131, 0xaa)).base64url(
      'Test Using Larger Than Block-Size Key - Hash Key First',
      43,
    );
    expect(Buffer.from(long, 'base64url').toString('hex')).toBe(
      '60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54',
    );
  });

  it('gives the bytes of createHmac on thousands of keys and messages, every length, any characters', () => {
    const random = generator(13);
    const keyLengths = [1, 16, 32, 55, 56, 63, 64, 65, 100, 128, 300];
    for (const keyLength of keyLengths) {
      const key = Uint8Array.from({ length: keyLength }, () => Math.floor(random() * 256));
      const hmac = createHmacSha256(key);
      for (let i = 0; i < 400; i += 1) {
        // Lengths around the block boundaries (55/56/64 bytes and beyond) come up often.
        const message = randomText(random, i < 200 ? 80 : 300);
        const chars = 1 + Math.floor(random() * 43);
        expect(hmac.base64url(message, chars)).toBe(reference(key, message).slice(0, chars));
      }
    }
  });

  it('gives the bytes of createHmac on ASCII messages of every length around one block (its fast path)', () => {
    const random = generator(29);
    for (const keyLength of [1, 32, 64, 65]) {
      const key = Uint8Array.from({ length: keyLength }, () => Math.floor(random() * 256));
      const hmac = createHmacSha256(key, 'p:');
      for (let length = 0; length <= 70; length += 1) {
        const ascii = Array.from({ length }, () => String.fromCharCode(Math.floor(random() * 128))).join('');
        expect(hmac.base64url(ascii, 22)).toBe(`p:${reference(key, ascii).slice(0, 22)}`);
        // One character outside ASCII, anywhere: the fast path gives up, after writing part of the block.
        for (const at of [0, length >> 1, length - 1]) {
          if (at < 0) continue;
          const mixed = `${ascii.slice(0, at)}${length % 2 === 0 ? 'é' : '\ud800'}${ascii.slice(at + 1)}`;
          expect(hmac.base64url(mixed, 43)).toBe(`p:${reference(key, mixed)}`);
        }
      }
    }
  });

  it('writes its prefix before the characters, and refuses more characters than a digest has', () => {
    const key = Buffer.from('secret');
    expect(createHmacSha256(key, 'p:').base64url('Patient/1', 22)).toBe(
      `p:${reference(key, 'Patient/1').slice(0, 22)}`,
    );
    expect(createHmacSha256(key).base64url('', 43)).toBe(reference(key, ''));
    expect(() => createHmacSha256(key).base64url('x', 44)).toThrow(RangeError);
    expect(() => createHmacSha256(key, 'é')).toThrow(TypeError);
  });

  it('does not depend on the key buffer after it was created', () => {
    const key = Buffer.from('a key that changes');
    const hmac = createHmacSha256(key);
    const before = hmac.base64url('Encounter/1', 43);
    key.fill(0);
    expect(hmac.base64url('Encounter/1', 43)).toBe(before);
    expect(before).toBe(reference(Buffer.from('a key that changes'), 'Encounter/1'));
  });
});
