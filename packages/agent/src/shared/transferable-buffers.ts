/**
 * The buffers of the typed arrays in `value`, to hand a partial state to another thread rather than copy
 * it: a partial state is a few typed arrays per table (tens of MB at size L), and copying them kept two more
 * copies alive at the merge. Used by the reader threads (runner/count-worker.ts) and the verify threads
 * (evidence/verify-worker.ts).
 */
export function transferableBuffers(value: unknown): ArrayBuffer[] {
  const found = new Set<ArrayBuffer>();
  const walk = (item: unknown): void => {
    if (ArrayBuffer.isView(item)) {
      if (item.buffer instanceof ArrayBuffer) found.add(item.buffer);
    } else if (typeof item === 'object' && item !== null) {
      for (const inner of Array.isArray(item) ? item : Object.values(item)) walk(inner);
    }
  };
  walk(value);
  return [...found];
}
