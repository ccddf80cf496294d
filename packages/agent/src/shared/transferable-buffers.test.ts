import { describe, expect, it } from 'vitest';
import { transferableBuffers } from './transferable-buffers.js';

describe('transferableBuffers', () => {
  it('finds the buffers of typed arrays nested in objects and arrays, each once', () => {
    const shared = new Uint32Array(4);
    const other = new Float64Array(2);
    const view = new Uint8Array(shared.buffer, 4, 4);
    const found = transferableBuffers({ a: shared, b: [view, { c: other }], d: 'text', e: null, f: 3 });
    expect(found).toHaveLength(2);
    expect(found).toContain(shared.buffer);
    expect(found).toContain(other.buffer);
  });

  it('leaves out shared memory, which cannot be transferred', () => {
    expect(transferableBuffers([new Int32Array(new SharedArrayBuffer(8))])).toEqual([]);
  });
});
