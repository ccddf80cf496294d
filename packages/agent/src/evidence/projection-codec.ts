/**
 * The compact encoding of a projection (`esms-columnar-1`): the facts are the minimal fields of the input
 * records, a million of them at size L, and most of their bytes are repeated field names and the same
 * pseudonyms again and again. Encoded as NDJSON lines of blocks, one fact kind per block, one column per
 * field, and every pseudonymised key written once in a dictionary and then referred to by a small
 * number (the difference from the previous reference in its column, which is 0 or 1 more often than not).
 * It stays text, so gzip compresses what is left and a person can read it with `zcat | head`.
 *
 * The decoder is generic: it reads any fields and any fact kinds the block headers name, so a projection
 * written by another version of the rules decodes the same way. Facts come back grouped by kind, not in
 * the order they were written: the rules do not depend on the order of their input (indicators.md),
 * which the recomputation tests check.
 *
 * Line 1: `{"format":"esms-columnar-1"}`. Then one line per block:
 * `{"k":KIND,"n":COUNT,"reset":true?,"new":[BODIES,[[POSITION,KEY]…]],"cols":[[FIELD,TYPE,PRESENCE,DATA]…]}`
 * - `new`: the keys this block adds to the dictionary, in order: pseudonyms (`p:` + 22 characters) as their
 *   22 characters concatenated in BODIES, any other key as [position in the block's new keys, key].
 * - TYPE `v`: DATA is the values as JSON; `r`: a key or null, DATA the reference deltas (null for null);
 *   `R`: a list of keys, DATA = [lengths, deltas]. A reference is a dictionary index; each delta is from the
 *   previous index of the column (at first the dictionary's size when the block starts); an index equal to
 *   the dictionary's size takes the next new key.
 * - PRESENCE: `null` when every fact has the field, else a string of `1`/`0` per fact.
 * - `reset`: the dictionary is emptied before this block (it is bounded, so memory stays flat).
 */
import type { Fact } from './recompute.js';
import { isRecord } from '../shared/is-record.js';
import { parseEvidenceJson } from './safe-json.js';

export const COLUMNAR_ENCODING = 'esms-columnar-1';
/** Line 1 of a columnar projection. */
export const COLUMNAR_HEADER_LINE = `${JSON.stringify({ format: COLUMNAR_ENCODING })}\n`;
/** Facts per block: enough for long runs of one status in a column; a few hundred kB of text. */
export const COLUMNAR_BLOCK_FACTS = 8192;
/** Keys the dictionary holds before it starts again (memory stays flat however large the input). */
export const COLUMNAR_DICTIONARY_KEYS = 1 << 18;

/** The fields that hold pseudonymised record and person keys (`pseudonymiseFact` in the SDK). */
export const DEFAULT_KEY_FIELDS: readonly string[] = [
  'key',
  'aliases',
  'partOf',
  'ins',
  'links',
  'subject',
  'provider',
  'record',
  'subjects',
  'org',
  'id',
];

const PSEUDONYM_BODY = /^p:[A-Za-z0-9_-]{22}$/;
const BODY_LENGTH = 22;

export interface ProjectionEncoder {
  /** Adds one fact (synchronous, so it can sit in the engine's `onFact`). */
  add(fact: Fact): void;
  /** Writes what is buffered; no fact may be added after. */
  end(): void;
}

/** An encoder that hands each finished line (with its `\n`) to `emit`. */
export function createColumnarEncoder(
  emit: (line: string) => void,
  options: {
    blockFacts?: number;
    dictionaryKeys?: number;
    keyFields?: readonly string[];
    /**
     * A segment of a projection (`projection-segment.ts`): no header line, and its first block empties the
     * dictionary, so segments encoded apart (by reader threads) can follow one another in one projection.
     */
    segment?: boolean;
  } = {},
): ProjectionEncoder {
  const blockFacts = options.blockFacts ?? COLUMNAR_BLOCK_FACTS;
  const capacity = options.dictionaryKeys ?? COLUMNAR_DICTIONARY_KEYS;
  const keyFields = new Set(options.keyFields ?? DEFAULT_KEY_FIELDS);
  const buffers = new Map<string, Fact[]>();
  let dictionary = new Map<string, number>();
  let ended = false;
  let resetFirst = options.segment === true;
  if (!resetFirst) emit(COLUMNAR_HEADER_LINE);

  const flush = (kind: string, facts: Fact[]): void => {
    let reset = resetFirst;
    resetFirst = false;
    // The block's fields and its key slots, in one pass (a million facts pass here at size L).
    const names = new Set<string>();
    let slots = 0;
    for (const fact of facts) {
      for (const name in fact) {
        names.add(name);
        if (!keyFields.has(name)) continue;
        const value = fact[name];
        if (typeof value === 'string') slots += 1;
        else if (Array.isArray(value)) slots += value.length;
      }
    }
    // A block adds at most (facts × key slots) keys; start afresh before it could overflow the bound.
    if (dictionary.size + slots > capacity) {
      dictionary = new Map();
      reset = true;
    }
    const bodies: string[] = [];
    const others: [number, string][] = [];
    let added = 0;
    const indexOf = (key: string): number => {
      const known = dictionary.get(key);
      if (known !== undefined) return known;
      const index = dictionary.size;
      dictionary.set(key, index);
      if (PSEUDONYM_BODY.test(key)) bodies.push(key.slice(2));
      else others.push([added, key]);
      added += 1;
      return index;
    };
    names.delete('k');
    const fields = [...names].sort();
    const cols: unknown[] = [];
    for (const field of fields) {
      const values: unknown[] = [];
      let all = true;
      for (const fact of facts) {
        const value = fact[field];
        if (value === undefined) all = false;
        else values.push(value);
      }
      const presence = all ? null : facts.map((f) => (f[field] !== undefined ? '1' : '0')).join('');
      const type = keyFields.has(field) ? keyColumnType(values) : 'v';
      if (type === 'v') {
        cols.push([field, 'v', presence, values]);
        continue;
      }
      let previous = dictionary.size;
      if (type === 'r') {
        const deltas = new Array<number | null>(values.length);
        for (let i = 0; i < values.length; i += 1) {
          const value = values[i] as string | null;
          if (value === null) {
            deltas[i] = null;
            continue;
          }
          const index = indexOf(value);
          deltas[i] = index - previous;
          previous = index;
        }
        cols.push([field, 'r', presence, deltas]);
      } else {
        const lists = values as string[][];
        const lengths = new Array<number>(lists.length);
        const deltas: number[] = [];
        for (let i = 0; i < lists.length; i += 1) {
          const list = lists[i] as string[];
          lengths[i] = list.length;
          for (const key of list) {
            const index = indexOf(key);
            deltas.push(index - previous);
            previous = index;
          }
        }
        cols.push([field, 'R', presence, [lengths, deltas]]);
      }
    }
    const block: Record<string, unknown> = { k: kind, n: facts.length };
    if (reset) block['reset'] = true;
    block['new'] = [bodies.join(''), others];
    block['cols'] = cols;
    emit(`${JSON.stringify(block)}\n`);
  };

  return {
    add(fact) {
      if (ended) throw new Error('projection encoder already ended');
      const kind = typeof fact['k'] === 'string' ? fact['k'] : '';
      let buffer = buffers.get(kind);
      if (buffer === undefined) {
        buffer = [];
        buffers.set(kind, buffer);
      }
      buffer.push(fact);
      if (buffer.length >= blockFacts) {
        buffers.set(kind, []);
        flush(kind, buffer);
      }
    },
    end() {
      if (ended) return;
      ended = true;
      for (const kind of [...buffers.keys()].sort()) {
        const buffer = buffers.get(kind) ?? [];
        if (buffer.length > 0) flush(kind, buffer);
      }
      buffers.clear();
    },
  };
}

function keyColumnType(values: readonly unknown[]): 'r' | 'R' | 'v' {
  if (values.every((v) => v === null || typeof v === 'string')) return 'r';
  if (values.every((v) => Array.isArray(v) && v.every((s) => typeof s === 'string'))) return 'R';
  return 'v';
}

/** A projection that cannot be decoded: what verification reports, naming the line. */
export class ProjectionFormatError extends Error {
  override readonly name = 'ProjectionFormatError';
}

/**
 * Decodes an `esms-columnar-1` projection, line by line (the header line included). Checks everything it
 * relies on and throws `ProjectionFormatError` on anything else: it reads evidence that may be forged.
 */
export function decodeColumnar(lines: AsyncIterable<string>): AsyncIterable<Fact> {
  return flatten(decodeColumnarBlocks(lines));
}

/**
 * The facts of blocks, one by one, through a plain iterator: a million facts pass through here at size L,
 * and an async generator's machinery per fact costs more than decoding it.
 */
function flatten(blocks: AsyncIterator<Fact[]>): AsyncIterable<Fact> {
  let block: Fact[] = [];
  let index = 0;
  const iterator: AsyncIterator<Fact> = {
    async next(): Promise<IteratorResult<Fact>> {
      while (index >= block.length) {
        const next = await blocks.next();
        if (next.done === true) return { done: true, value: undefined };
        block = next.value;
        index = 0;
      }
      const value = block[index] as Fact;
      index += 1;
      return { done: false, value };
    },
    async return(): Promise<IteratorResult<Fact>> {
      await blocks.return?.();
      return { done: true, value: undefined };
    },
  };
  return { [Symbol.asyncIterator]: () => iterator };
}

async function* decodeColumnarBlocks(lines: AsyncIterable<string>): AsyncGenerator<Fact[]> {
  let lineNumber = 0;
  let dictionary: string[] = [];
  const fail = (message: string): never => {
    throw new ProjectionFormatError(`projection line ${lineNumber}: ${message}`);
  };
  for await (const line of lines) {
    lineNumber += 1;
    if (line === '') continue;
    const parsed = parseEvidenceJson(line);
    if (!parsed.ok) fail(parsed.reason);
    const value = (parsed as { value: unknown }).value;
    if (lineNumber === 1) {
      if (!isRecord(value) || value['format'] !== COLUMNAR_ENCODING)
        fail(`not an ${COLUMNAR_ENCODING} header`);
      continue;
    }
    if (!isRecord(value)) fail('a block is not a JSON object');
    const block = value as Record<string, unknown>;
    const kind = block['k'];
    const count = block['n'];
    if (typeof kind !== 'string') fail('a block has no kind');
    if (!Number.isSafeInteger(count) || (count as number) < 1) fail('a block has no fact count');
    const n = count as number;
    if (block['reset'] === true) dictionary = [];
    const fresh = newKeys(block['new'], fail);
    let nextFresh = 0;
    const facts: Record<string, unknown>[] = new Array<Record<string, unknown>>(n);
    for (let i = 0; i < n; i += 1) facts[i] = { k: kind };
    const cols = block['cols'];
    if (!Array.isArray(cols)) fail('a block has no columns');
    for (const col of cols as unknown[]) {
      if (!Array.isArray(col) || col.length !== 4) fail('a column is not [field, type, presence, data]');
      const [field, type, presence, data] = col as [unknown, unknown, unknown, unknown];
      if (typeof field !== 'string' || field === 'k') fail('a column has no field name');
      const name = field as string;
      const rows = presentRows(presence, n, fail);
      const count = rows === null ? n : rows.length;
      const rowAt = (i: number): Record<string, unknown> =>
        facts[rows === null ? i : (rows[i] as number)] as Record<string, unknown>;
      let previous = dictionary.length;
      const resolve = (delta: unknown): string => {
        if (typeof delta !== 'number' || !Number.isSafeInteger(delta))
          fail(`column ${name}: a reference is not an integer`);
        const index = previous + (delta as number);
        previous = index;
        if (index === dictionary.length) {
          const key = fresh[nextFresh];
          if (key === undefined) fail(`column ${name}: more new keys used than the block introduces`);
          nextFresh += 1;
          dictionary.push(key as string);
          return key as string;
        }
        const key = index >= 0 ? dictionary[index] : undefined;
        if (key === undefined) fail(`column ${name}: a reference points outside the dictionary`);
        return key as string;
      };
      if (type === 'v' || type === 'r') {
        if (!Array.isArray(data) || data.length !== count) fail(`column ${name}: wrong number of values`);
        const values = data as unknown[];
        if (type === 'v') for (let i = 0; i < count; i += 1) rowAt(i)[name] = values[i];
        else {
          for (let i = 0; i < count; i += 1) {
            const delta = values[i];
            rowAt(i)[name] = delta === null ? null : resolve(delta);
          }
        }
      } else if (type === 'R') {
        const [lengths, deltas] = Array.isArray(data) ? (data as unknown[]) : [];
        if (!Array.isArray(lengths) || !Array.isArray(deltas) || lengths.length !== count)
          fail(`column ${name}: wrong number of lists`);
        const sizes = lengths as unknown[];
        const refs = deltas as unknown[];
        let at = 0;
        for (let i = 0; i < count; i += 1) {
          const length = sizes[i];
          if (typeof length !== 'number' || !Number.isSafeInteger(length) || length < 0)
            fail(`column ${name}: bad list length`);
          if (at + (length as number) > refs.length)
            fail(`column ${name}: lists longer than their references`);
          const list = new Array<string>(length as number);
          for (let j = 0; j < (length as number); j += 1) list[j] = resolve(refs[at + j]);
          at += length as number;
          rowAt(i)[name] = list;
        }
        if (at !== refs.length) fail(`column ${name}: references left over`);
      } else {
        fail(`column ${name}: unknown type ${JSON.stringify(type)}`);
      }
    }
    if (nextFresh !== fresh.length) fail('the block introduces keys it does not use');
    yield facts;
  }
  if (lineNumber === 0) fail('the projection is empty (no header line)');
}

function newKeys(value: unknown, fail: (message: string) => never): string[] {
  if (!Array.isArray(value) || value.length !== 2) return fail('a block has no new-keys list');
  const [bodies, others] = value as [unknown, unknown];
  if (typeof bodies !== 'string' || bodies.length % BODY_LENGTH !== 0) return fail('bad pseudonym list');
  if (!Array.isArray(others)) return fail('bad new-keys list');
  const total = bodies.length / BODY_LENGTH + others.length;
  const keys: (string | undefined)[] = new Array<string | undefined>(total);
  for (const other of others as unknown[]) {
    if (!Array.isArray(other) || other.length !== 2) return fail('bad new key');
    const [position, key] = other as [unknown, unknown];
    if (!Number.isSafeInteger(position) || typeof key !== 'string') return fail('bad new key');
    const at = position as number;
    if (at < 0 || at >= total || keys[at] !== undefined) return fail('bad new key position');
    keys[at] = key;
  }
  let body = 0;
  for (let i = 0; i < total; i += 1) {
    if (keys[i] !== undefined) continue;
    keys[i] = `p:${bodies.slice(body * BODY_LENGTH, (body + 1) * BODY_LENGTH)}`;
    body += 1;
  }
  return keys as string[];
}

/** The rows that have a field (`null`: every row). */
function presentRows(presence: unknown, n: number, fail: (message: string) => never): number[] | null {
  if (presence === null) return null;
  if (typeof presence !== 'string' || presence.length !== n || !/^[01]*$/.test(presence))
    return fail('bad presence string');
  const rows: number[] = [];
  for (let i = 0; i < n; i += 1) if (presence[i] === '1') rows.push(i);
  return rows;
}
