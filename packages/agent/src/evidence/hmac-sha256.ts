import { createHash } from 'node:crypto';

/**
 * HMAC-SHA256 (RFC 2104, FIPS 180-4) of many short messages under one key, in JavaScript: the pseudonyms
 * of a run (about a million at size L, issue 13). Node's `createHmac` sets up the key and two native hash
 * contexts at every call, which cost more than the hashing of a 40-byte key; here the key's two padded
 * blocks (`K ⊕ ipad`, `K ⊕ opad`) are compressed once, and each message then costs its own block or two
 * plus one block for the outer hash. Same bytes as `createHmac('sha256', key)` (pseudonymiser.test.ts
 * compares them on many keys and messages).
 */
export interface HmacSha256 {
  /**
   * The prefix, then the first `chars` characters (at most 43) of `base64url(HMAC-SHA256(key,
   * utf8(message)))`: `prefix + createHmac(…).update(message, 'utf8').digest('base64url').slice(0, chars)`.
   */
  base64url(message: string, chars: number): string;
}

const BLOCK_BYTES = 64;
const BASE64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const BASE64URL_CODES = Uint8Array.from(BASE64URL, (c) => c.charCodeAt(0));
const BASE64URL_MAX_CHARS = 43; // ceil(32 × 8 / 6)
/** The longest message of one block: 64 bytes less its 0x80 and 8-byte length. */
const ONE_BLOCK_MAX_BYTES = BLOCK_BYTES - 9;

// prettier-ignore
const K = Int32Array.from([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
  0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
  0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
  0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
  0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
  0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
  0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
  0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
]);
// prettier-ignore
const IV = Int32Array.from([
  0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
]);

/** One SHA-256 compression: `state` ← f(`state`, the 16 big-endian words `w[0..15]`); `w` is overwritten. */
function compress(state: Int32Array, w: Int32Array): void {
  for (let t = 16; t < 64; t += 1) {
    const x = w[t - 15] as number;
    const y = w[t - 2] as number;
    const s0 = ((x >>> 7) | (x << 25)) ^ ((x >>> 18) | (x << 14)) ^ (x >>> 3);
    const s1 = ((y >>> 17) | (y << 15)) ^ ((y >>> 19) | (y << 13)) ^ (y >>> 10);
    w[t] = ((w[t - 16] as number) + s0 + (w[t - 7] as number) + s1) | 0;
  }
  let a = state[0] as number;
  let b = state[1] as number;
  let c = state[2] as number;
  let d = state[3] as number;
  let e = state[4] as number;
  let f = state[5] as number;
  let g = state[6] as number;
  let h = state[7] as number;
  for (let t = 0; t < 64; t += 1) {
    const S1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
    const ch = (e & f) ^ (~e & g);
    const t1 = (h + S1 + ch + (K[t] as number) + (w[t] as number)) | 0;
    const S0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));
    const maj = (a & b) ^ (a & c) ^ (b & c);
    const t2 = (S0 + maj) | 0;
    h = g;
    g = f;
    f = e;
    e = (d + t1) | 0;
    d = c;
    c = b;
    b = a;
    a = (t1 + t2) | 0;
  }
  state[0] = ((state[0] as number) + a) | 0;
  state[1] = ((state[1] as number) + b) | 0;
  state[2] = ((state[2] as number) + c) | 0;
  state[3] = ((state[3] as number) + d) | 0;
  state[4] = ((state[4] as number) + e) | 0;
  state[5] = ((state[5] as number) + f) | 0;
  state[6] = ((state[6] as number) + g) | 0;
  state[7] = ((state[7] as number) + h) | 0;
}

/** Loads 64 bytes of `bytes` from `offset` into `w[0..15]` as big-endian words. */
function loadBlock(w: Int32Array, bytes: Uint8Array, offset: number): void {
  for (let i = 0; i < 16; i += 1) {
    const o = offset + i * 4;
    w[i] =
      ((bytes[o] as number) << 24) |
      ((bytes[o + 1] as number) << 16) |
      ((bytes[o + 2] as number) << 8) |
      (bytes[o + 3] as number);
  }
}

/** The state after one block of the key padded to 64 bytes, each byte XORed with `pad` (RFC 2104). */
function keyedState(key: Uint8Array, pad: number, w: Int32Array): Int32Array {
  const block = new Uint8Array(BLOCK_BYTES);
  for (let i = 0; i < BLOCK_BYTES; i += 1) block[i] = (i < key.length ? (key[i] as number) : 0) ^ pad;
  const state = Int32Array.from(IV);
  loadBlock(w, block, 0);
  compress(state, w);
  return state;
}

export function createHmacSha256(key: Uint8Array, prefix = ''): HmacSha256 {
  // RFC 2104 §2: a key longer than the block is replaced by its hash; a shorter one is padded with zeros.
  const k = key.length > BLOCK_BYTES ? createHash('sha256').update(key).digest() : key;
  const w = new Int32Array(64);
  const inner = keyedState(k, 0x36, w);
  const outer = keyedState(k, 0x5c, w);
  const state = new Int32Array(8);
  // The message, its 0x80, zeros and its bit length: grown when a message needs more blocks.
  let message = new Uint8Array(4 * BLOCK_BYTES);
  // The text returned: the prefix, then the characters (decoded as latin1: all are ASCII).
  const out = Buffer.alloc(prefix.length + BASE64URL_MAX_CHARS);
  const prefixLength = out.write(prefix, 'latin1');
  if (prefixLength !== prefix.length || !/^[\x20-\x7e]*$/.test(prefix))
    throw new TypeError('hmac: the prefix is not ASCII');

  /** One block read straight from `text` (ASCII, at most 55 characters): false, nothing hashed, if it is not. */
  const asciiBlock = (text: string): boolean => {
    const length = text.length;
    for (let i = 0; i < 16; i += 1) w[i] = 0;
    for (let i = 0; i < length; i += 1) {
      const c = text.charCodeAt(i);
      if (c >= 0x80) return false;
      w[i >> 2] = (w[i >> 2] as number) | (c << (24 - ((i & 3) << 3)));
    }
    // Padding: 0x80 after the message, and the bit length of the key block + message in the last word.
    w[length >> 2] = (w[length >> 2] as number) | (0x80 << (24 - ((length & 3) << 3)));
    w[15] = (BLOCK_BYTES + length) * 8;
    state.set(inner);
    compress(state, w);
    return true;
  };

  return {
    base64url(text, chars) {
      if (!(chars >= 0 && chars <= BASE64URL_MAX_CHARS))
        throw new RangeError(`base64url: ${chars} characters`);
      // Nearly every key is short ASCII: one block, its words read from the characters.
      if (!(text.length <= ONE_BLOCK_MAX_BYTES && asciiBlock(text))) innerHash(text);
      return outerBase64url(chars);
    },
  };

  /** The inner hash of any message: `state` ← SHA-256 state after (K ⊕ ipad) ‖ utf8(text), padded. */
  function innerHash(text: string): void {
    // UTF-8, by hand for ASCII (nearly every key); the rest through Buffer's encoder.
    let length = text.length;
    if (length * 3 + 9 > message.length) message = new Uint8Array((length * 3 + 9 + BLOCK_BYTES) * 2);
    let ascii = true;
    for (let i = 0; i < length; i += 1) {
      const c = text.charCodeAt(i);
      if (c >= 0x80) {
        ascii = false;
        break;
      }
      message[i] = c;
    }
    if (!ascii) {
      length = Buffer.from(message.buffer, message.byteOffset, message.length).write(text, 0, 'utf8');
    }
    // Padding: 0x80, zeros up to 8 bytes before a block's end, the bit length of the key block + message.
    const blocks = Math.ceil((length + 9) / BLOCK_BYTES);
    const end = blocks * BLOCK_BYTES;
    message[length] = 0x80;
    message.fill(0, length + 1, end - 8);
    const bits = (BLOCK_BYTES + length) * 8;
    // A message below 2^29 bytes: the high word of the 64-bit length is 0 or a few bits.
    const high = Math.floor(bits / 0x100000000);
    message[end - 8] = high >>> 24;
    message[end - 7] = high >>> 16;
    message[end - 6] = high >>> 8;
    message[end - 5] = high;
    message[end - 4] = bits >>> 24;
    message[end - 3] = bits >>> 16;
    message[end - 2] = bits >>> 8;
    message[end - 1] = bits;
    state.set(inner);
    for (let offset = 0; offset < end; offset += BLOCK_BYTES) {
      loadBlock(w, message, offset);
      compress(state, w);
    }
  }

  /** The outer hash of the inner digest in `state`, then the prefix and `chars` characters of its base64url. */
  function outerBase64url(chars: number): string {
    // Outer hash: the inner digest (8 words), 0x80, zeros, the bit length (64 + 32 bytes).
    for (let i = 0; i < 8; i += 1) w[i] = state[i] as number;
    w[8] = 0x80000000;
    for (let i = 9; i < 15; i += 1) w[i] = 0;
    w[15] = (BLOCK_BYTES + 32) * 8;
    state.set(outer);
    compress(state, w);
    // base64url of the digest's bytes, six bits a character, big-endian, after the prefix.
    for (let c = 0; c < chars; c += 1) {
      const bit = c * 6;
      const word = bit >>> 5;
      const shift = bit & 31;
      const hi = state[word] as number;
      let sextet: number;
      if (shift <= 26) sextet = (hi >>> (26 - shift)) & 63;
      else {
        const lo = word + 1 < 8 ? (state[word + 1] as number) : 0;
        sextet = ((hi << (shift - 26)) | (lo >>> (58 - shift))) & 63;
      }
      out[prefixLength + c] = BASE64URL_CODES[sextet] as number;
    }
    return out.toString('latin1', 0, prefixLength + chars);
  }
}
