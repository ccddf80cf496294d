import { createHash } from 'node:crypto';

/**
 * Canonical JSON: object keys sorted by UTF-16 code units, no whitespace, `JSON.stringify` for scalars.
 * Hashes and signatures are computed over these bytes, so two programs that agree on the value agree on
 * the digest whatever order they built the object in. `undefined` members are dropped (as JSON does);
 * non-finite numbers, functions and other non-JSON values are refused rather than silently mangled.
 */
export function canonicalJson(value: unknown): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return JSON.stringify(value);
    case 'number':
      if (!Number.isFinite(value)) throw new TypeError(`canonicalJson: non-finite number ${String(value)}`);
      return JSON.stringify(value);
    case 'object': {
      if (Array.isArray(value)) {
        return `[${value.map((item: unknown) => (item === undefined ? 'null' : canonicalJson(item))).join(',')}]`;
      }
      const record = value as Record<string, unknown>;
      const members = Object.keys(record)
        .filter((key) => record[key] !== undefined)
        .sort()
        .map((key) => `${JSON.stringify(key)}:${canonicalJson(record[key])}`);
      return `{${members.join(',')}}`;
    }
    case 'bigint':
    case 'function':
    case 'symbol':
    case 'undefined':
      break;
  }
  throw new TypeError(`canonicalJson: cannot encode a value of type ${typeof value}`);
}

/** Lower-case hex SHA-256 of bytes or a UTF-8 string. */
export function sha256Hex(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
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
