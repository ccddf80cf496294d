/**
 * JSON text written straight into a growing byte buffer, as UTF-8: the projection encoder's blocks (issue
 * 13: `JSON.stringify` of each block's nested arrays, then joining the lines and encoding them again as
 * UTF-8, cost a run at size L about a second per thread, and every line was a large string the old
 * generation had to collect). The bytes are exactly those of `Buffer.from(JSON.stringify(x), 'utf8')`:
 * integers, `null`, booleans and strings of printable ASCII are written here; anything else goes through
 * `JSON.stringify` itself (`json-bytes.test.ts` compares the two on the awkward cases: quotes, backslashes,
 * control characters, lone surrogates, U+2028, non-ASCII, -0, large and fractional numbers, nested values).
 */
export class JsonBytes {
  /** The bytes written so far are `buffer[0, length)`. */
  buffer: Buffer;
  length = 0;

  constructor(initialBytes = 64 * 1024) {
    this.buffer = Buffer.allocUnsafe(initialBytes);
  }

  /** Forgets what was written (the buffer is kept). */
  clear(): void {
    this.length = 0;
  }

  /** Room for `bytes` more. */
  reserve(bytes: number): void {
    const needed = this.length + bytes;
    if (needed <= this.buffer.length) return;
    let size = this.buffer.length * 2;
    while (size < needed) size *= 2;
    const grown = Buffer.allocUnsafe(size);
    this.buffer.copy(grown, 0, 0, this.length);
    this.buffer = grown;
  }

  /** Text known to be ASCII that needs no escaping (punctuation, field names of this code). */
  raw(text: string): void {
    this.reserve(text.length);
    const buffer = this.buffer;
    let at = this.length;
    for (let i = 0; i < text.length; i += 1) buffer[at++] = text.charCodeAt(i);
    this.length = at;
  }

  /** `text` from its character `from`, known to be ASCII that needs no escaping. */
  rawFrom(text: string, from: number): void {
    this.reserve(text.length - from);
    const buffer = this.buffer;
    let at = this.length;
    for (let i = from; i < text.length; i += 1) buffer[at++] = text.charCodeAt(i);
    this.length = at;
  }

  byte(code: number): void {
    if (this.length >= this.buffer.length) this.reserve(1);
    this.buffer[this.length++] = code;
  }

  /** The bytes of another writer. */
  append(other: JsonBytes): void {
    this.reserve(other.length);
    other.buffer.copy(this.buffer, this.length, 0, other.length);
    this.length += other.length;
  }

  /** `JSON.stringify(text)`, UTF-8. */
  string(text: string): void {
    const start = this.length;
    this.reserve(text.length + 2);
    const buffer = this.buffer;
    let at = start;
    buffer[at++] = QUOTE;
    for (let i = 0; i < text.length; i += 1) {
      const c = text.charCodeAt(i);
      // What JSON.stringify escapes (`"`, `\`, below U+0020) or encodes on several bytes: its own way.
      if (c < 0x20 || c === QUOTE || c === BACKSLASH || c >= 0x80) {
        this.length = start;
        this.utf8(JSON.stringify(text));
        return;
      }
      buffer[at++] = c;
    }
    buffer[at++] = QUOTE;
    this.length = at;
  }

  /** `JSON.stringify(n)` of a number. */
  number(n: number): void {
    if ((n | 0) === n && !(n === 0 && 1 / n < 0)) this.integer(n);
    else this.raw(JSON.stringify(n));
  }

  /** `JSON.stringify(value)` of a value inside an array (where what JSON omits is `null`). */
  value(value: unknown): void {
    if (typeof value === 'string') this.string(value);
    else if (typeof value === 'number') this.number(value);
    else if (typeof value === 'boolean') this.raw(value ? 'true' : 'false');
    else if (value === null) this.raw('null');
    else {
      const text = JSON.stringify(value) as string | undefined;
      if (text === undefined) this.raw('null');
      else this.utf8(text);
    }
  }

  /** `JSON.stringify(values)` of an array of values. */
  values(values: readonly unknown[]): void {
    this.byte(OPEN);
    for (let i = 0; i < values.length; i += 1) {
      if (i > 0) this.byte(COMMA);
      this.value(values[i]);
    }
    this.byte(CLOSE);
  }

  /** The UTF-8 bytes of `text` as they are (already JSON). */
  utf8(text: string): void {
    this.reserve(text.length * 3);
    this.length += this.buffer.write(text, this.length, 'utf8');
  }

  /** A 32-bit integer (not -0). */
  private integer(n: number): void {
    this.reserve(11);
    const buffer = this.buffer;
    let at = this.length;
    let rest = n;
    if (rest < 0) {
      buffer[at++] = MINUS;
      rest = -rest;
    }
    if (rest < 10) {
      buffer[at++] = ZERO + rest;
      this.length = at;
      return;
    }
    let digits = 0;
    for (let r = rest; r > 0; r = Math.floor(r / 10)) digits += 1;
    let end = at + digits;
    this.length = end;
    while (rest > 0) {
      const next = Math.floor(rest / 10);
      buffer[--end] = ZERO + (rest - next * 10);
      rest = next;
    }
  }
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const OPEN = 0x5b;
const CLOSE = 0x5d;
const MINUS = 0x2d;
const ZERO = 0x30;
