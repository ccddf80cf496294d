/**
 * Privacy filter for log records: whatever a component logs, no name, INS/NIR, free text or credential
 * leaves in a log line. Keys that hold (or point to) a person's data are replaced whole; strings anywhere
 * are scrubbed of INS/NIR-looking numbers. Used by the logger's hooks, exported so it can be tested alone.
 */

export const REDACTED = '[redacted]';

/**
 * Keys whose value could identify a person (FHIR Patient fields, references to a person, free text) or
 * is a credential. Compared case-insensitively. `name` is on the list although components may want to
 * log one: a person's name is the costlier mistake.
 */
export const REDACTED_KEYS: ReadonlySet<string> = new Set(
  [
    // person: FHIR HumanName, demographics, identifiers, references to the person, free text
    'name',
    'family',
    'given',
    'birthDate',
    'ins',
    'nir',
    'identifier',
    'patient',
    'subject',
    'text',
    'note',
    'address',
    'telecom',
    'email',
    'phone',
    'firstName',
    'lastName',
    // credentials (pino's redact paths cover the first levels; this covers any depth)
    'token',
    'accessToken',
    'access_token',
    'refreshToken',
    'authorization',
    'proxy-authorization',
    'cookie',
    'set-cookie',
    'clientSecret',
    'client_secret',
    'password',
    'passphrase',
  ].map((key) => key.toLowerCase()),
);

/**
 * An INS/NIR: 13 digits, or 15 with its key, the department possibly `2A`/`2B`, possibly written in
 * groups separated by single spaces (`1 84 12 2A 451 089 46`). Not preceded or followed by a letter or
 * digit, so hex digests and 14-digit SIRET numbers are left alone.
 */
const INS_PATTERN =
  /(?<![0-9A-Za-z])\d ?\d{2} ?\d{2} ?(?:\d{2}|2[AaBb]) ?\d{3} ?\d{3}(?: ?\d{2})?(?![0-9A-Za-z])/g;

/** Nesting beyond this is cut: log records are small, and a cycle-free huge object is a bug anyway. */
const MAX_DEPTH = 12;

/** Replaces every INS/NIR-looking number in `text` with `[redacted]`. */
export function scrubString(text: string): string {
  return text.replace(INS_PATTERN, REDACTED);
}

/**
 * A copy of `value` safe to log: redacted keys replaced by `[redacted]` at any depth, strings scrubbed,
 * 15-digit integers (an INS stored as a number) replaced, Errors turned into `{ type, message, stack,
 * code, cause }` with their texts scrubbed. Cycles and excessive depth are cut. `value` is not modified.
 */
export function redactForLog(value: unknown): unknown {
  return redact(value, 0, new WeakSet());
}

function redact(value: unknown, depth: number, seen: WeakSet<object>): unknown {
  if (typeof value === 'string') return scrubString(value);
  if (typeof value === 'number') {
    return Number.isInteger(value) && Math.abs(value) >= 1e14 && Math.abs(value) < 1e15 ? REDACTED : value;
  }
  if (typeof value === 'bigint') return scrubString(value.toString());
  if (typeof value !== 'object') return value;
  if (value === null) return null;
  if (seen.has(value)) return '[circular]';
  if (depth >= MAX_DEPTH) return '[truncated]';
  if (value instanceof Date) return value;
  if (value instanceof URL) return scrubString(value.href);
  if (ArrayBuffer.isView(value) || value instanceof ArrayBuffer) return `[binary, ${value.byteLength} bytes]`;
  seen.add(value);
  try {
    if (value instanceof Error) return redactError(value, depth, seen);
    if (Array.isArray(value)) return value.map((item: unknown) => redact(item, depth + 1, seen));
    if (value instanceof Map)
      return redactEntries(
        [...value.entries()].map(([k, v]) => [String(k), v]),
        depth,
        seen,
      );
    if (value instanceof Set) return [...value].map((item: unknown) => redact(item, depth + 1, seen));
    return redactEntries(Object.entries(value), depth, seen);
  } finally {
    seen.delete(value);
  }
}

function redactEntries(
  entries: [string, unknown][],
  depth: number,
  seen: WeakSet<object>,
): Record<string, unknown> {
  const copy: Record<string, unknown> = {};
  for (const [key, member] of entries) {
    copy[key] = REDACTED_KEYS.has(key.toLowerCase()) ? REDACTED : redact(member, depth + 1, seen);
  }
  return copy;
}

/** Errors keep what an operator needs (class, message, stack, code), scrubbed; other own fields are redacted like objects. */
function redactError(error: Error, depth: number, seen: WeakSet<object>): Record<string, unknown> {
  const copy: Record<string, unknown> = { type: error.name, message: scrubString(error.message) };
  if (error.stack !== undefined) copy['stack'] = scrubString(error.stack);
  const own = redactEntries(
    Object.entries(error).filter(([key]) => key !== 'name' && key !== 'message' && key !== 'stack'),
    depth,
    seen,
  );
  Object.assign(copy, own);
  if (error.cause !== undefined) copy['cause'] = redact(error.cause, depth + 1, seen);
  return copy;
}
