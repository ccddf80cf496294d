/**
 * Growing the engine's typed arrays without keeping the old ones resident. The tables of
 * resolve/record-versions.ts and contributions.ts live long, so their arrays are in V8's old generation, and
 * the memory of an array replaced by a bigger copy was given back only at the next full collection: at size
 * XL (5 M records) each doubling kept the old copies (tens of MB) resident beside the new ones, and peak RSS
 * grew by steps of 80–90 MB (issue 13). Detaching the old buffer hands its memory to a new, unreferenced
 * `ArrayBuffer`, which the next minor collection frees (a few milliseconds later while records stream).
 * `structuredClone` with a transfer list is standard (browsers, Node), and copies nothing.
 */

type TypedArray = Int32Array | Uint8Array | Float64Array;

/**
 * Gives the memory of `array`'s buffer back soon. Every view of that buffer becomes empty: only for arrays
 * the caller owns alone.
 */
export function discardBuffer(array: TypedArray): void {
  const buffer = array.buffer;
  if (!(buffer instanceof ArrayBuffer) || buffer.byteLength === 0) return;
  structuredClone(buffer, { transfer: [buffer] });
}

/** A new array of `size` elements holding the first `used` of `array`, whose buffer is discarded. */
export function grownInt32(array: Int32Array, size: number, used: number): Int32Array {
  const grown = new Int32Array(size);
  grown.set(array.subarray(0, used));
  discardBuffer(array);
  return grown;
}

/** `grownInt32` for `Uint8Array`s. */
export function grownUint8(array: Uint8Array, size: number, used: number): Uint8Array {
  const grown = new Uint8Array(size);
  grown.set(array.subarray(0, used));
  discardBuffer(array);
  return grown;
}

/** `grownInt32` for `Float64Array`s. */
export function grownFloat64(array: Float64Array, size: number, used: number): Float64Array {
  const grown = new Float64Array(size);
  grown.set(array.subarray(0, used));
  discardBuffer(array);
  return grown;
}
