import { sha256Hex } from '../shared/sha256-hex.js';

/** A value still to encode (a plain string on the work stack is output, already encoded). */
interface Pending {
  value: unknown;
}

/**
 * Canonical JSON: object keys sorted by UTF-16 code units, no whitespace, `JSON.stringify` for scalars.
 * Hashes and signatures are computed over these bytes, so two programs that agree on the value agree on
 * the digest whatever order they built the object in. `undefined` members are dropped (as JSON does);
 * non-finite numbers, functions and other non-JSON values are refused rather than silently mangled.
 *
 * Iterative (an explicit work stack, no recursion): evidence is read from files an adversary may have
 * written, and a 3000-deep array must give a digest that does not match, never a `RangeError`.
 */
export function canonicalJson(value: unknown): string {
  const out: string[] = [];
  const work: (Pending | string)[] = [{ value }];
  while (work.length > 0) {
    const task = work.pop() as Pending | string;
    if (typeof task === 'string') {
      out.push(task);
      continue;
    }
    const current = task.value;
    if (current === null) {
      out.push('null');
      continue;
    }
    switch (typeof current) {
      case 'string':
      case 'boolean':
        out.push(JSON.stringify(current));
        continue;
      case 'number':
        if (!Number.isFinite(current))
          throw new TypeError(`canonicalJson: non-finite number ${String(current)}`);
        out.push(JSON.stringify(current));
        continue;
      case 'object': {
        if (Array.isArray(current)) {
          const items = current as unknown[];
          out.push('[');
          work.push(']');
          for (let index = items.length - 1; index >= 0; index -= 1) {
            const item = items[index];
            work.push(item === undefined ? 'null' : { value: item });
            if (index > 0) work.push(',');
          }
          continue;
        }
        const record = current as Record<string, unknown>;
        const keys = Object.keys(record)
          .filter((key) => record[key] !== undefined)
          .sort();
        out.push('{');
        work.push('}');
        for (let index = keys.length - 1; index >= 0; index -= 1) {
          const key = keys[index] as string;
          work.push({ value: record[key] });
          work.push(`${JSON.stringify(key)}:`);
          if (index > 0) work.push(',');
        }
        continue;
      }
      case 'bigint':
      case 'function':
      case 'symbol':
      case 'undefined':
        break;
    }
    throw new TypeError(`canonicalJson: cannot encode a value of type ${typeof current}`);
  }
  return out.join('');
}

/** Self-describing digest string used in journal payloads: `sha256:<64 hex>`. */
export type Digest = `sha256:${string}`;

export const DIGEST_PATTERN = /^sha256:[0-9a-f]{64}$/;

export function isDigest(value: unknown): value is Digest {
  return typeof value === 'string' && DIGEST_PATTERN.test(value);
}

export function toDigest(hex: string): Digest {
  return `sha256:${hex}`;
}

/** SHA-256 digest of the canonical JSON of a value (config digests, measure-definition digests). */
export function digestJson(value: unknown): Digest {
  return toDigest(sha256Hex(canonicalJson(value)));
}
