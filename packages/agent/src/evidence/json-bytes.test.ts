import { describe, expect, it } from 'vitest';
import { JsonBytes } from './json-bytes.js';

/** What the encoder wrote before (issue 13): `Buffer.from(JSON.stringify(x), 'utf8')`. */
const stringified = (value: unknown): Buffer => Buffer.from(JSON.stringify(value), 'utf8');
const written = (write: (out: JsonBytes) => void, initialBytes?: number): Buffer => {
  const out = new JsonBytes(initialBytes);
  write(out);
  return Buffer.from(out.buffer.subarray(0, out.length));
};

const AWKWARD_STRINGS = [
  '',
  'plain ascii',
  'a "quoted" word',
  'back\\slash',
  'tab\tnew\nline\rcarriage',
  '\u0000\u0001\u001f\u007f',
  'é accent, ß, 中文',
  'emoji 😀 pair',
  'lone high \ud800 surrogate',
  'lone low \udc00 surrogate',
  '\udc00\ud800 reversed pair',
  'line sep \u2028 and para sep \u2029',
  '</script>',
  'p:AbCdEfGhIjKlMnOpQrStUv',
  'x'.repeat(70_000),
  'é'.repeat(30_000),
];

const AWKWARD_NUMBERS = [
  0,
  -0,
  1,
  -1,
  9,
  10,
  -10,
  123456789,
  2147483647,
  -2147483648,
  2147483648,
  -2147483649,
  2 ** 53,
  1e21,
  1.5,
  -0.000001,
  Number.MAX_VALUE,
  Number.MIN_VALUE,
  NaN,
  Infinity,
  -Infinity,
];

describe('JsonBytes writes the bytes of JSON.stringify', () => {
  it('for strings with quotes, backslashes, control characters, lone surrogates, U+2028, non-ASCII', () => {
    for (const text of AWKWARD_STRINGS) {
      expect(written((out) => out.string(text), 4)).toEqual(stringified(text));
      expect(written((out) => out.value(text))).toEqual(stringified(text));
    }
  });

  it('for numbers: -0, 32-bit bounds and beyond, fractions, exponents, NaN and infinities', () => {
    for (const n of AWKWARD_NUMBERS) {
      expect(written((out) => out.number(n), 1)).toEqual(stringified(n));
      expect(written((out) => out.values([n]))).toEqual(stringified([n]));
    }
  });

  it('for arrays of any values: null, booleans, nested arrays and objects, and what JSON leaves out', () => {
    const values: unknown[] = [
      null,
      true,
      false,
      [],
      [1, [2, ['deep', null]], 'é'],
      { a: 1, b: 'x"y', c: [null, { d: '\u2028' }] },
      {},
      undefined,
      () => 1,
      Symbol('s'),
      new Date(0),
      ...AWKWARD_STRINGS,
      ...AWKWARD_NUMBERS,
    ];
    expect(written((out) => out.values(values), 1)).toEqual(stringified(values));
    for (const value of values)
      expect(written((out) => out.values([value, value]))).toEqual(stringified([value, value]));
  });

  it('keeps what was written when it grows, appends another writer, and starts again after clear', () => {
    const a = new JsonBytes(2);
    a.raw('[');
    a.string('x'.repeat(1000));
    a.byte(0x2c);
    const b = new JsonBytes(1);
    b.rawFrom('p:body', 2);
    a.append(b);
    a.raw(']');
    expect(a.buffer.toString('utf8', 0, a.length)).toBe(`["${'x'.repeat(1000)}",body]`);
    a.clear();
    a.values(['é']);
    expect(a.buffer.toString('utf8', 0, a.length)).toBe('["é"]');
  });
});
