import { describe, expect, it } from 'vitest';
import { discardBuffer, grownFloat64, grownInt32, grownUint8 } from './typed-array-memory.js';

describe('typed arrays grown without keeping the old copy resident (issue 13, peak RSS)', () => {
  it('a grown array keeps the used elements, zeroes the rest, and the old buffer is detached at once', () => {
    const old = Int32Array.from([1, -2, 3, 4]);
    const grown = grownInt32(old, 8, 3);
    expect([...grown]).toEqual([1, -2, 3, 0, 0, 0, 0, 0]);
    // Detached: its memory belongs to an unreferenced buffer that the next minor collection frees.
    expect(old.buffer.byteLength).toBe(0);
    expect(old.length).toBe(0);

    const bytes = Uint8Array.from([9, 8]);
    expect([...grownUint8(bytes, 4, 2)]).toEqual([9, 8, 0, 0]);
    expect(bytes.buffer.byteLength).toBe(0);
    const floats = Float64Array.from([0.5, Number.NEGATIVE_INFINITY]);
    expect([...grownFloat64(floats, 3, 2)]).toEqual([0.5, Number.NEGATIVE_INFINITY, 0]);
    expect(floats.buffer.byteLength).toBe(0);
  });

  it('discarding an empty or already discarded array does nothing', () => {
    const empty = new Int32Array(0);
    expect(() => discardBuffer(empty)).not.toThrow();
    const once = new Uint8Array(4);
    discardBuffer(once);
    expect(() => discardBuffer(once)).not.toThrow();
    expect(once.length).toBe(0);
  });
});
