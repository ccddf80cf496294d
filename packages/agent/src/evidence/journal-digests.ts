import { isDigest } from './canonical-json.js';
import type { Digest } from './canonical-json.js';
import { asArray } from './json-access.js';
import type { JournalEntry } from './journal.js';
import { declaredBytes } from './verify-run.js';
import { isRecord } from '../shared/is-record.js';

/**
 * Every blob digest an entry references, with where it sits (`results`, …) and the size it declares. A
 * run's projection is left out when the run is recomputed: it is hashed while it is decoded.
 */
export function digestsIn(
  entry: JournalEntry,
): { digest: Digest; where: string; maxBytes: number | undefined }[] {
  const found: { digest: Digest; where: string; maxBytes: number | undefined }[] = [];
  const stack: { value: unknown; where: string; parent: unknown }[] = [
    { value: entry.payload, where: '', parent: null },
  ];
  // Iterative, and the payload's depth was bounded when the line was parsed.
  while (stack.length > 0) {
    const { value, where, parent } = stack.pop() as { value: unknown; where: string; parent: unknown };
    if (isDigest(value)) found.push({ digest: value, where, maxBytes: declaredBytes(parent) });
    else if (Array.isArray(value))
      asArray(value).forEach((item, index) =>
        stack.push({ value: item, where: `${where}[${index}]`, parent: value }),
      );
    else if (isRecord(value)) {
      for (const [key, item] of Object.entries(value)) {
        // configDigest / measuresDigest name things that are not blobs in the store.
        if (key === 'configDigest' || key === 'measuresDigest') continue;
        if (entry.type === 'run-sealed' && where === '' && key === 'projection') continue;
        stack.push({
          value: item,
          where: where === '' ? key : key === 'digest' ? where : `${where}.${key}`,
          parent: value,
        });
      }
    }
  }
  return found.reverse();
}
