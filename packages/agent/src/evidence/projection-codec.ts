/**
 * The compact encoding of a projection (`esms-columnar-3`): the facts are the minimal fields of the input
 * records, a million of them at size L, and most of their bytes are repeated field names and the same
 * pseudonyms again and again. Encoded as NDJSON lines of blocks of consecutive facts; inside a block, one
 * group per fact kind, one column per field, and every pseudonymised key written once in a dictionary and
 * then referred to by a small number (the difference from the previous reference in its column, which is 0
 * or 1 more often than not). It stays text, so gzip compresses what is left and a person can read it with
 * `zcat | head`. Two column types spare most of what is left (issue 13: the evidence of a run at size L, and
 * the time spent compressing it): a column whose values are those of a field of the fact of another kind
 * just before (an `update`'s `at` is its `record`'s `lastUpdated`) names that field instead of repeating
 * them, and a column of long runs of one value (`resourceType`, `via`) is written as its runs.
 *
 * The facts come back in the order they were written: the SDK's fact stream depends on it (the facts that
 * follow a `record` fact are that record's, and of two versions of one Type/id the latest wins), so each
 * block keeps the sequence of its facts' kinds. `esms-columnar-2` (the same without the two column types
 * `s` and `l`) and `esms-columnar-1` (one kind per block, facts grouped by kind, which loses that link when
 * a record is in the input twice) are still decoded: stores sealed with them must still verify.
 *
 * The decoder is generic: it reads any fields and any fact kinds the blocks name, so a projection written
 * by another version of the rules decodes the same way.
 *
 * Line 1: `{"format":"esms-columnar-3"}`. Then one line per block of at most `COLUMNAR_BLOCK_FACTS` facts:
 * `{"n":COUNT,"reset":true?,"seq":SEQUENCE,"new":[BODIES,[[POSITION,KEY]…]],"groups":[[KIND,COUNT,COLS]…]}`
 * - `groups`: one per kind in the block, by kind name; COLS = `[[FIELD,TYPE,PRESENCE,DATA]…]` for the
 *   group's facts, in their order. Groups are read in order, and columns in order within a group.
 * - `seq`: one character per fact, the index of its group in `0-9a-zA-Z` (at most 62 kinds in a block);
 *   `null` when the block has one group.
 * - `new`: the keys this block adds to the dictionary, in order: pseudonyms (`p:` + 22 characters) as their
 *   22 characters concatenated in BODIES, any other key as [position in the block's new keys, key].
 * - TYPE `v`: DATA is the values as JSON; `r`: a key or null, DATA the reference deltas (null for null);
 *   `R`: a list of keys, DATA = [lengths, deltas]. A reference is a dictionary index; each delta is from the
 *   previous index of the column (at first the dictionary's size when the column starts); an index equal to
 *   the dictionary's size takes the next new key.
 * - TYPE `l` (runs): DATA = [values, lengths], each value repeated its length's times, in order.
 * - TYPE `s` (same as): DATA = [KIND, FIELD, SAME, LITERALS]: a value is that of FIELD in the latest fact of
 *   kind KIND before this fact in the block (another kind, which must have the field), except where SAME (a
 *   string of `1`/`0` per value, or `null` when all are `1`) says `0`: those take LITERALS in order, as JSON.
 *   Keys written this way take no dictionary reference.
 * - PRESENCE: `null` when every fact of the group has the field, else a string of `1`/`0` per fact.
 * - `reset`: the dictionary is emptied before this block (it is bounded, so memory stays flat).
 *
 * `esms-columnar-2` blocks are the same, with no column of type `l` or `s`.
 * `esms-columnar-1` blocks are `{"k":KIND,"n":COUNT,"reset":true?,"new":…,"cols":COLS}`: one group, no `seq`.
 */
import type { Fact } from './recompute.js';
import { JsonBytes } from './json-bytes.js';
import { isRecord } from '../shared/is-record.js';
import { parseEvidenceJson } from './safe-json.js';

export const COLUMNAR_ENCODING = 'esms-columnar-3';
/** The second columnar encoding (no `l` or `s` columns): still decoded, never written. */
export const COLUMNAR_ENCODING_V2 = 'esms-columnar-2';
/** The first columnar encoding (facts grouped by kind): still decoded, never written. */
export const COLUMNAR_ENCODING_V1 = 'esms-columnar-1';
export type ColumnarEncoding =
  typeof COLUMNAR_ENCODING | typeof COLUMNAR_ENCODING_V2 | typeof COLUMNAR_ENCODING_V1;
/** A column of this many values or more per run of equal values is written as its runs (type `l`). */
const RUN_COLUMN_VALUES_PER_RUN = 4;
/** A column is written as another field's values (type `s`) when at least this share of them are equal. */
const SAME_COLUMN_SHARE = 0.75;
/** Rows of a column checked against a candidate field before all are compared. */
const SAME_COLUMN_SAMPLE = 8;
/** Line 1 of a columnar projection. */
export const COLUMNAR_HEADER_LINE = `${JSON.stringify({ format: COLUMNAR_ENCODING })}\n`;
/** Facts per block: enough for long runs of one status in a column; a few hundred kB of text. */
export const COLUMNAR_BLOCK_FACTS = 8192;
/** Keys the dictionary holds before it starts again (memory stays flat however large the input). */
export const COLUMNAR_DICTIONARY_KEYS = 1 << 18;
/** The characters of a block's kind sequence: a block holds at most this many kinds. */
const SEQUENCE_ALPHABET = '0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';
/** `SEQUENCE_ALPHABET.indexOf(character)` by character code (−1 for the others), read once per fact. */
const SEQUENCE_INDEX: Int8Array = (() => {
  const index = new Int8Array(128).fill(-1);
  for (let i = 0; i < SEQUENCE_ALPHABET.length; i += 1) index[SEQUENCE_ALPHABET.charCodeAt(i)] = i;
  return index;
})();
/** The same characters as bytes, and the JSON punctuation, for the encoder's byte sink. */
const SEQUENCE_CODES = Uint8Array.from(SEQUENCE_ALPHABET, (c) => c.charCodeAt(0));
const QUOTE = 0x22;
const COMMA = 0x2c;
const OPEN = 0x5b;
const CLOSE = 0x5d;

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

/** Whether a character code is one of base64url's (`[A-Za-z0-9_-]`), by code below 128. */
const BASE64URL_CHAR = Uint8Array.from({ length: 128 }, (_, c) =>
  /[A-Za-z0-9_-]/.test(String.fromCharCode(c)) ? 1 : 0,
);

/** `/^p:[A-Za-z0-9_-]{22}$/.test(key)` (a pseudonym, written as its body), without a regular expression per key. */
export function isPseudonymKey(key: string): boolean {
  if (key.length !== 2 + BODY_LENGTH || key.charCodeAt(0) !== 0x70 || key.charCodeAt(1) !== 0x3a)
    return false;
  for (let i = 2; i < key.length; i += 1) {
    const c = key.charCodeAt(i);
    if (c >= 128 || BASE64URL_CHAR[c] !== 1) return false;
  }
  return true;
}
const BODY_LENGTH = 22;

export interface ProjectionEncoder {
  /** Adds one fact (synchronous, so it can sit in the engine's `onFact`). */
  add(fact: Fact): void;
  /**
   * Adds the fact `{ k: kind, [names[i]]: values[i] … }` (the first `count` of each; `k` not among them)
   * without it being built: the same bytes as `add` of that fact. The arrays are read at once, so a caller
   * may reuse them (`projection-facts.ts` writes the SDK's facts pseudonymised this way, field by field).
   */
  addFields(kind: string, names: readonly string[], values: readonly unknown[], count: number): void;
  /** Writes what is buffered; no fact may be added after. */
  end(): void;
}

/** The values of one field in a block's facts of one kind, by row (`undefined` where a fact lacks it). */
interface Column {
  values: unknown[];
  /** A field of the dictionary's keys (`keyFields`). */
  key: boolean;
}

/** The facts of one kind in the block being filled, as columns (no fact object is kept). */
interface Group {
  kind: string;
  /** Its place among the block's groups in the order first met. */
  index: number;
  /** Facts of the group, and the block position of each. */
  count: number;
  positions: number[];
  /** By field, in the order first met. */
  columns: Map<string, Column>;
}

/**
 * Where an encoder writes its lines as UTF-8 bytes, without making a string of each (a projection segment
 * compresses them as they come, `projection-segment.ts`).
 */
export interface ColumnarLineSink {
  /** The encoder appends each line (with its `\n`) here; the sink may take and clear the bytes at each line. */
  readonly out: JsonBytes;
  /** Told after each whole line was written to `out`. */
  lineWritten(): void;
}

/** An encoder that hands each finished line (with its `\n`) to `emit`, or writes it into a sink's bytes. */
export function createColumnarEncoder(
  emit: ((line: string) => void) | ColumnarLineSink,
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
  const kindIsKey = keyFields.has('k');
  // The block being filled: its groups in the order first met, and the group of each position.
  let groups = new Map<string, Group>();
  let created: Group[] = [];
  let groupAtPosition: number[] = [];
  let size = 0;
  // Key slots of the block (keys in key fields, list items counted one by one): the dictionary's bound.
  let slots = 0;
  let dictionary = new Map<string, number>();
  let ended = false;
  let resetFirst = options.segment === true;
  let sink: ColumnarLineSink;
  if (typeof emit === 'function') {
    const lineOut = new JsonBytes();
    sink = {
      out: lineOut,
      lineWritten() {
        emit(lineOut.buffer.toString('utf8', 0, lineOut.length));
        lineOut.clear();
      },
    };
  } else sink = emit;
  const out = sink.out;
  if (!resetFirst) {
    out.raw(COLUMNAR_HEADER_LINE);
    sink.lineWritten();
  }
  // A block's parts written before its line can be (the keys it adds come before its groups): kept, reused.
  const groupsOut = new JsonBytes();
  const bodiesOut = new JsonBytes(4 * 1024);
  const othersOut = new JsonBytes(1024);

  const flush = (): void => {
    if (size === 0) return;
    const n = size;
    const inOrder = created;
    const positionsGroup = groupAtPosition;
    const blockSlots = slots;
    groups = new Map();
    created = [];
    groupAtPosition = [];
    size = 0;
    slots = 0;
    let reset = resetFirst;
    resetFirst = false;
    // A block adds at most (facts × key slots) keys; start afresh before it could overflow the bound.
    if (dictionary.size + blockSlots > capacity) {
      dictionary = new Map();
      reset = true;
    }
    // The same bytes as `JSON.stringify` of `{ n, reset?, seq, new: [bodies, others], groups }`.
    groupsOut.clear();
    bodiesOut.clear();
    othersOut.clear();
    let added = 0;
    const indexOf = (key: string): number => {
      const known = dictionary.get(key);
      if (known !== undefined) return known;
      const index = dictionary.size;
      dictionary.set(key, index);
      if (isPseudonymKey(key)) bodiesOut.rawFrom(key, 2);
      else {
        if (othersOut.length > 0) othersOut.byte(COMMA);
        othersOut.byte(OPEN);
        othersOut.number(added);
        othersOut.byte(COMMA);
        othersOut.string(key);
        othersOut.byte(CLOSE);
      }
      added += 1;
      return index;
    };
    const layout = blockLayout(n, inOrder, positionsGroup);
    for (let g = 0; g < layout.groups.length; g += 1) {
      const group = layout.groups[g] as Group;
      if (g > 0) groupsOut.byte(COMMA);
      groupsOut.byte(OPEN);
      groupsOut.string(group.kind);
      groupsOut.byte(COMMA);
      groupsOut.number(group.count);
      groupsOut.byte(COMMA);
      writeColumns(groupsOut, g, layout, dictionary, indexOf);
      groupsOut.byte(CLOSE);
    }
    out.raw('{"n":');
    out.number(n);
    if (reset) out.raw(',"reset":true');
    out.raw(',"seq":');
    if (layout.groups.length > 1) {
      const code = inOrder.map((group) => SEQUENCE_CODES[layout.groups.indexOf(group)] as number);
      out.reserve(n + 2);
      const buffer = out.buffer;
      let at = out.length;
      buffer[at++] = QUOTE;
      for (let i = 0; i < n; i += 1) buffer[at++] = code[positionsGroup[i] as number] as number;
      buffer[at++] = QUOTE;
      out.length = at;
    } else out.raw('null');
    out.raw(',"new":["');
    out.append(bodiesOut);
    out.raw('",[');
    out.append(othersOut);
    out.raw(']],"groups":[');
    out.append(groupsOut);
    out.raw(']}\n');
    sink.lineWritten();
  };

  const addRow = (
    kind: string,
    names: readonly string[],
    values: readonly unknown[],
    count: number,
    kindSlots: number,
  ): void => {
    if (ended) throw new Error('projection encoder already ended');
    let group = groups.get(kind);
    if (group === undefined) {
      // A block names at most as many kinds as its sequence has characters.
      if (groups.size >= SEQUENCE_ALPHABET.length) flush();
      group = { kind, index: created.length, count: 0, positions: [], columns: new Map() };
      groups.set(kind, group);
      created.push(group);
    }
    const row = group.count;
    group.count += 1;
    group.positions.push(size);
    groupAtPosition.push(group.index);
    slots += kindSlots;
    for (let i = 0; i < count; i += 1) {
      const name = names[i] as string;
      const value = values[i];
      let column = group.columns.get(name);
      if (column === undefined) {
        column = { values: [], key: keyFields.has(name) };
        group.columns.set(name, column);
      }
      if (value === undefined) continue;
      const byRow = column.values;
      while (byRow.length < row) byRow.push(undefined);
      byRow.push(value);
      if (column.key) {
        if (typeof value === 'string') slots += 1;
        else if (Array.isArray(value)) slots += value.length;
      }
    }
    size += 1;
    if (size >= blockFacts) flush();
  };

  // `add`'s fields, gathered in arrays reused from one fact to the next.
  const names: string[] = [];
  const values: unknown[] = [];
  return {
    add(fact) {
      let count = 0;
      let kindSlots = 0;
      for (const name in fact) {
        const value = fact[name];
        if (name === 'k') {
          // Only a `keyFields` naming `k` counts it (as any key field's value is counted).
          if (kindIsKey) kindSlots = typeof value === 'string' ? 1 : Array.isArray(value) ? value.length : 0;
          continue;
        }
        names[count] = name;
        values[count] = value;
        count += 1;
      }
      addRow(kindOf(fact), names, values, count, kindSlots);
    },
    addFields(kind, names, values, count) {
      addRow(kind, names, values, count, kindIsKey ? 1 : 0);
    },
    end() {
      if (ended) return;
      ended = true;
      flush();
    },
  };
}

function kindOf(fact: Fact): string {
  const kind = fact['k'];
  return typeof kind === 'string' ? kind : '';
}

/** A block's groups, by kind name, and where each fact is, for the columns that refer to another kind. */
interface BlockLayout {
  /** The block's groups sorted by kind. */
  groups: readonly Group[];
  /** Per group, its fields (`k` aside), sorted. */
  fields: readonly (readonly string[])[];
  /** Per block position, its row in its group. */
  rowAt: Int32Array;
  /** Per group `h`, for each block position, the position of the latest fact of `h` before it (−1: none). */
  latest(h: number): Int32Array;
}

function blockLayout(n: number, inOrder: readonly Group[], positionsGroup: readonly number[]): BlockLayout {
  const groups = [...inOrder].sort((a, b) => (a.kind < b.kind ? -1 : a.kind > b.kind ? 1 : 0));
  const sortedIndex = inOrder.map((group) => groups.indexOf(group));
  const rowAt = new Int32Array(n);
  const groupAt = new Int32Array(n);
  const taken = new Array<number>(inOrder.length).fill(0);
  for (let i = 0; i < n; i += 1) {
    const c = positionsGroup[i] as number;
    groupAt[i] = sortedIndex[c] as number;
    rowAt[i] = taken[c] as number;
    taken[c] = (taken[c] as number) + 1;
  }
  const fields = groups.map((group) => [...group.columns.keys()].sort());
  const latestOf = new Map<number, Int32Array>();
  return {
    groups,
    fields,
    rowAt,
    latest(h) {
      let found = latestOf.get(h);
      if (found !== undefined) return found;
      found = new Int32Array(n);
      let last = -1;
      for (let i = 0; i < n; i += 1) {
        found[i] = last;
        if (groupAt[i] === h) last = i;
      }
      latestOf.set(h, found);
      return found;
    },
  };
}

const isPlain = (value: unknown): boolean => value === null || typeof value !== 'object';

/**
 * The field of another kind whose value, in the fact of that kind just before, most of this column's
 * values repeat (type `s`), or undefined. Candidates are tried on a few rows first: most fail at once.
 */
function sameAs(
  g: number,
  rows: readonly number[],
  values: readonly unknown[],
  layout: BlockLayout,
): { h: number; field: string; same: boolean[]; matches: number } | undefined {
  if (values.length === 0 || !values.every(isPlain)) return undefined;
  const sample = Math.min(SAME_COLUMN_SAMPLE, values.length);
  const rowAt = layout.rowAt;
  let best: { h: number; field: string; same: boolean[]; matches: number } | undefined;
  for (let h = 0; h < layout.groups.length; h += 1) {
    if (h === g) continue;
    const latest = layout.latest(h);
    const columns = (layout.groups[h] as Group).columns;
    for (const field of layout.fields[h] as string[]) {
      const source = (columns.get(field) as Column).values;
      const sourceOf = (i: number): unknown => {
        const at = latest[rows[i] as number] as number;
        return at < 0 ? undefined : source[rowAt[at] as number];
      };
      let sampled = 0;
      for (let i = 0; i < sample; i += 1) if (sourceOf(i) === values[i]) sampled += 1;
      if (sampled < sample - 1) continue;
      const same = new Array<boolean>(values.length);
      let matches = 0;
      for (let i = 0; i < values.length; i += 1) {
        const value = sourceOf(i);
        same[i] = value !== undefined && value === values[i];
        if (same[i]) matches += 1;
      }
      if (best === undefined || matches > best.matches) best = { h, field, same, matches };
    }
  }
  return best !== undefined && best.matches >= values.length * SAME_COLUMN_SHARE ? best : undefined;
}

/** A value column as its runs of equal values, when they are long enough to pay; else undefined. */
function runsOf(values: readonly unknown[]): [unknown[], number[]] | undefined {
  const runValues: unknown[] = [];
  const lengths: number[] = [];
  for (let i = 0; i < values.length; i += 1) {
    const value = values[i];
    const last = runValues.length - 1;
    if (last >= 0 && isPlain(value) && runValues[last] === value) {
      lengths[last] = (lengths[last] as number) + 1;
      continue;
    }
    if (runValues.length * RUN_COLUMN_VALUES_PER_RUN >= values.length) return undefined;
    runValues.push(value);
    lengths.push(1);
  }
  return runValues.length * RUN_COLUMN_VALUES_PER_RUN <= values.length ? [runValues, lengths] : undefined;
}

/** The columns of group `g` (the facts of one kind in a block), as JSON: `[[FIELD,TYPE,PRESENCE,DATA]…]`. */
function writeColumns(
  out: JsonBytes,
  g: number,
  layout: BlockLayout,
  dictionary: ReadonlyMap<string, number>,
  indexOf: (key: string) => number,
): void {
  const group = layout.groups[g] as Group;
  const positions = group.positions;
  const fields = layout.fields[g] as string[];
  out.byte(OPEN);
  for (let f = 0; f < fields.length; f += 1) {
    const field = fields[f] as string;
    const column = group.columns.get(field) as Column;
    const byRow = column.values;
    const values: unknown[] = [];
    const rows: number[] = [];
    for (let i = 0; i < byRow.length; i += 1) {
      const value = byRow[i];
      if (value === undefined) continue;
      values.push(value);
      rows.push(positions[i] as number);
    }
    if (f > 0) out.byte(COMMA);
    out.byte(OPEN);
    out.string(field);
    const same = sameAs(g, rows, values, layout);
    const type = same !== undefined ? 's' : column.key ? keyColumnType(values) : 'v';
    const runs = type === 'v' ? runsOf(values) : undefined;
    out.raw(runs !== undefined ? ',"l",' : `,"${type}",`);
    // PRESENCE: null when every fact of the group has the field, else a `1`/`0` per fact.
    if (values.length === group.count) out.raw('null');
    else {
      out.reserve(group.count + 2);
      const buffer = out.buffer;
      let at = out.length;
      buffer[at++] = QUOTE;
      for (let i = 0; i < group.count; i += 1) buffer[at++] = byRow[i] !== undefined ? ONE : ZERO;
      buffer[at++] = QUOTE;
      out.length = at;
    }
    out.byte(COMMA);
    if (same !== undefined) {
      // [KIND, FIELD, SAME, LITERALS]
      const all = same.matches === values.length;
      out.byte(OPEN);
      out.string((layout.groups[same.h] as Group).kind);
      out.byte(COMMA);
      out.string(same.field);
      out.byte(COMMA);
      if (all) out.raw('null,[]');
      else {
        out.reserve(values.length + 3);
        const buffer = out.buffer;
        let at = out.length;
        buffer[at++] = QUOTE;
        for (let i = 0; i < values.length; i += 1) buffer[at++] = same.same[i] === true ? ONE : ZERO;
        buffer[at++] = QUOTE;
        buffer[at++] = COMMA;
        out.length = at;
        out.byte(OPEN);
        let first = true;
        for (let i = 0; i < values.length; i += 1) {
          if (same.same[i] === true) continue;
          if (!first) out.byte(COMMA);
          first = false;
          out.value(values[i]);
        }
        out.byte(CLOSE);
      }
      out.byte(CLOSE);
    } else if (type === 'v') {
      if (runs === undefined) out.values(values);
      else {
        out.byte(OPEN);
        out.values(runs[0]);
        out.byte(COMMA);
        writeIntegers(out, runs[1]);
        out.byte(CLOSE);
      }
    } else if (type === 'r') {
      let previous = dictionary.size;
      // A column often names one key several times running (a person's records follow one another):
      // the same string again needs no dictionary lookup (the dictionary is only emptied between blocks).
      let lastKey: string | undefined;
      out.byte(OPEN);
      for (let i = 0; i < values.length; i += 1) {
        if (i > 0) out.byte(COMMA);
        const value = values[i] as string | null;
        if (value === null) {
          out.raw('null');
          continue;
        }
        if (value === lastKey) {
          out.byte(ZERO);
          continue;
        }
        const index = indexOf(value);
        out.number(index - previous);
        previous = index;
        lastKey = value;
      }
      out.byte(CLOSE);
    } else {
      // [lengths, deltas]
      const lists = values as string[][];
      out.raw('[[');
      for (let i = 0; i < lists.length; i += 1) {
        if (i > 0) out.byte(COMMA);
        out.number((lists[i] as string[]).length);
      }
      out.raw('],[');
      let previous = dictionary.size;
      let lastKey: string | undefined;
      let first = true;
      for (let i = 0; i < lists.length; i += 1) {
        for (const key of lists[i] as string[]) {
          if (!first) out.byte(COMMA);
          first = false;
          if (key === lastKey) {
            out.byte(ZERO);
            continue;
          }
          const index = indexOf(key);
          out.number(index - previous);
          previous = index;
          lastKey = key;
        }
      }
      out.raw(']]');
    }
    out.byte(CLOSE);
  }
  out.byte(CLOSE);
}

function writeIntegers(out: JsonBytes, numbers: readonly number[]): void {
  out.byte(OPEN);
  for (let i = 0; i < numbers.length; i += 1) {
    if (i > 0) out.byte(COMMA);
    out.number(numbers[i] as number);
  }
  out.byte(CLOSE);
}

const ONE = 0x31;
const ZERO = 0x30;

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
 * Decodes an `esms-columnar-2` (or `esms-columnar-1`) projection, line by line (the header line included). Checks everything it
 * relies on and throws `ProjectionFormatError` on anything else: it reads evidence that may be forged.
 */
export function decodeColumnar(
  lines: AsyncIterable<string>,
  /** The format the sealed entry names: the header line must agree with it. */
  expected?: ColumnarEncoding,
): AsyncIterable<Fact> {
  return flatten(decodeColumnarBlocks(lines, expected));
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

async function* decodeColumnarBlocks(
  lines: AsyncIterable<string>,
  expected: ColumnarEncoding | undefined,
): AsyncGenerator<Fact[]> {
  const decoder = new ColumnarDecoder({ expected });
  for await (const line of lines) {
    const facts = decoder.line(line);
    if (facts === undefined) continue;
    yield facts;
    decoder.blockDone();
  }
  decoder.end();
}

/**
 * A block of a projection cut out to be decoded apart (verify-threads.ts) does not start with `reset`, so
 * it needs the dictionary of the blocks before it: the caller decodes the projection in one piece instead.
 */
export class ProjectionCutError extends Error {
  override readonly name = 'ProjectionCutError';
}

/**
 * The columnar decoder, line by line, so that it can be fed from a stream or from messages (the verify
 * threads): `line()` gives a block's facts (`undefined` for the header and empty lines), and `blockDone()`,
 * called once the caller has used them, makes the checks that come after a block. The checks, their order
 * and their messages are those of `decodeColumnar`, which runs on it.
 */
export class ColumnarDecoder {
  private lineNumber: number;
  private version: 1 | 2 | 3;
  private readonly expected: ColumnarEncoding | undefined;
  /** A part of a projection: its first block must start a new dictionary (`reset`). */
  private cut: boolean;
  private readonly state: DictionaryState = { dictionary: [], fresh: [], nextFresh: 0 };

  constructor(
    options: {
      expected?: ColumnarEncoding | undefined;
      /**
       * A part of a projection, from this line (2 or later) on, of the version its header gave. Unless it is
       * line 2, its first block must empty the dictionary, else `line()` throws `ProjectionCutError`.
       */
      part?: { firstLine: number; version: 1 | 2 | 3 };
    } = {},
  ) {
    this.expected = options.expected;
    this.lineNumber = options.part === undefined ? 0 : options.part.firstLine - 1;
    this.version = options.part?.version ?? 3;
    this.cut = options.part !== undefined && options.part.firstLine > 2;
  }

  /** The version of the blocks (from the header, once line 1 is read). */
  get blockVersion(): 1 | 2 | 3 {
    return this.version;
  }

  private fail(message: string): never {
    throw new ProjectionFormatError(`projection line ${this.lineNumber}: ${message}`);
  }

  line(line: string): Fact[] | undefined {
    this.lineNumber += 1;
    if (line === '') return undefined;
    const fail = (message: string): never => this.fail(message);
    const parsed = parseEvidenceJson(line);
    if (!parsed.ok) fail(parsed.reason);
    const value = (parsed as { value: unknown }).value;
    if (this.lineNumber === 1) {
      const format = isRecord(value) ? value['format'] : undefined;
      if (format === COLUMNAR_ENCODING) this.version = 3;
      else if (format === COLUMNAR_ENCODING_V2) this.version = 2;
      else if (format === COLUMNAR_ENCODING_V1) this.version = 1;
      else fail(`not an ${COLUMNAR_ENCODING} (or ${COLUMNAR_ENCODING_V2}, ${COLUMNAR_ENCODING_V1}) header`);
      if (this.expected !== undefined && format !== this.expected)
        fail(`the header says ${String(format)}, the sealed entry ${this.expected}`);
      return undefined;
    }
    if (!isRecord(value)) fail('a block is not a JSON object');
    const block = value as Record<string, unknown>;
    const count = block['n'];
    if (!Number.isSafeInteger(count) || (count as number) < 1) fail('a block has no fact count');
    const n = count as number;
    const state = this.state;
    if (this.cut && block['reset'] !== true)
      throw new ProjectionCutError(
        `projection line ${this.lineNumber}: the part does not start a dictionary`,
      );
    this.cut = false;
    if (block['reset'] === true) state.dictionary = [];
    state.fresh = newKeys(block['new'], fail);
    state.nextFresh = 0;
    if (this.version === 1) {
      const kind = block['k'];
      if (typeof kind !== 'string') fail('a block has no kind');
      return decodeGroup(kind as string, n, block['cols'], state, fail, this.version).facts;
    }
    return decodeBlock(block, n, state, fail, this.version);
  }

  /** `line()`, each fact to `add`, then `blockDone()`: the number of facts (0 for the header or an empty line). */
  lineInto(line: string, add: (fact: Fact) => void): number {
    const facts = this.line(line);
    if (facts === undefined) return 0;
    for (const fact of facts) add(fact);
    this.blockDone();
    return facts.length;
  }

  /** The checks after a block whose facts have been used. */
  blockDone(): void {
    if (this.state.nextFresh !== this.state.fresh.length)
      this.fail('the block introduces keys it does not use');
  }

  /** The checks at the end of the projection (of the whole one: not of a part). */
  end(): void {
    if (this.lineNumber === 0) this.fail('the projection is empty (no header line)');
  }
}

interface DictionaryState {
  dictionary: string[];
  /** The keys the current block introduces, and how many of them its references have taken. */
  fresh: string[];
  nextFresh: number;
}

/** An `esms-columnar-2` or `-3` block: its groups, then its facts put back in their order by its sequence. */
function decodeBlock(
  block: Record<string, unknown>,
  n: number,
  state: DictionaryState,
  fail: (message: string) => never,
  version: 2 | 3,
): Fact[] {
  const groups = block['groups'];
  if (!Array.isArray(groups) || groups.length < 1 || groups.length > SEQUENCE_ALPHABET.length)
    fail('a block has no groups');
  const decoded: DecodedGroup[] = [];
  const kinds = new Map<string, number>();
  let total = 0;
  let sameColumns = 0;
  for (const group of groups as unknown[]) {
    if (!Array.isArray(group) || group.length !== 3) fail('a group is not [kind, count, columns]');
    const [kind, count, cols] = group as [unknown, unknown, unknown];
    if (typeof kind !== 'string' || kinds.has(kind)) fail('a group has no kind, or a kind twice');
    if (!Number.isSafeInteger(count) || (count as number) < 1) fail('a group has no fact count');
    kinds.set(kind, decoded.length);
    total += count as number;
    const one = decodeGroup(kind, count as number, cols, state, fail, version);
    sameColumns += one.same.length;
    decoded.push(one);
  }
  if (total !== n) fail("the groups do not hold the block's fact count");
  if (decoded.length === 1) {
    if (block['seq'] !== null) fail('a block of one group has a kind sequence');
    if (sameColumns > 0) fail('a column refers to another kind in a block of one kind');
    return (decoded[0] as DecodedGroup).facts;
  }
  const seq = block['seq'];
  if (typeof seq !== 'string' || seq.length !== n) fail('bad kind sequence');
  const taken = new Array<number>(decoded.length).fill(0);
  const facts = new Array<Fact>(n);
  // The latest fact of each group so far, for the columns that repeat another kind's field (type `s`).
  const latest = new Array<Record<string, unknown> | undefined>(decoded.length);
  // The group each `s` column takes its values from, found once per column rather than once per fact.
  const sources = decoded.map((group) => group.same.map((column) => kinds.get(column.kind)));
  for (let i = 0; i < n; i += 1) {
    const code = seq.charCodeAt(i);
    const g = code < SEQUENCE_INDEX.length ? (SEQUENCE_INDEX[code] as number) : -1;
    const group = g >= 0 ? decoded[g] : undefined;
    const at = taken[g] ?? 0;
    if (group === undefined || at >= group.facts.length) fail('bad kind sequence');
    const fact = group.facts[at] as Record<string, unknown>;
    const same = group.same;
    for (let c = 0; c < same.length; c += 1) {
      const column = same[c] as SameColumn;
      if (column.rows[at] !== 1) continue;
      const h = (sources[g] as (number | undefined)[])[c];
      const source = h === undefined ? undefined : latest[h];
      const value = source?.[column.field];
      if (value === undefined)
        fail(`column ${column.name}: no ${column.kind} before it with the field ${column.field}`);
      fact[column.name] = value;
    }
    facts[i] = fact;
    latest[g] = fact;
    taken[g] = at + 1;
  }
  return facts;
}

/** A column of type `s`: which rows of its group take `field` of the latest `kind` fact before them. */
interface SameColumn {
  name: string;
  kind: string;
  field: string;
  /** 1 for a row that takes the value, per row of the group. */
  rows: Uint8Array;
}

interface DecodedGroup {
  facts: Fact[];
  /** Its columns of type `s`, filled once the block's facts are in order (decodeBlock). */
  same: SameColumn[];
}

/** The facts of one kind that a group's (or an `esms-columnar-1` block's) columns hold. */
function decodeGroup(
  kind: string,
  n: number,
  cols: unknown,
  state: DictionaryState,
  fail: (message: string) => never,
  version: 1 | 2 | 3,
): DecodedGroup {
  const same: SameColumn[] = [];
  const facts: Record<string, unknown>[] = new Array<Record<string, unknown>>(n);
  for (let i = 0; i < n; i += 1) facts[i] = { k: kind };
  if (!Array.isArray(cols)) fail('a block has no columns');
  for (const col of cols as unknown[]) {
    if (!Array.isArray(col) || col.length !== 4) fail('a column is not [field, type, presence, data]');
    const [field, type, presence, data] = col as [unknown, unknown, unknown, unknown];
    if (typeof field !== 'string' || field === 'k') fail('a column has no field name');
    const name = field;
    const rows = presentRows(presence, n, fail);
    const count = rows === null ? n : rows.length;
    const rowAt = (i: number): Record<string, unknown> =>
      facts[rows === null ? i : (rows[i] as number)] as Record<string, unknown>;
    const dictionary = state.dictionary;
    let previous = dictionary.length;
    const resolve = (delta: unknown): string => {
      if (typeof delta !== 'number' || !Number.isSafeInteger(delta))
        fail(`column ${name}: a reference is not an integer`);
      const index = previous + delta;
      previous = index;
      if (index === dictionary.length) {
        const key = state.fresh[state.nextFresh];
        if (key === undefined) fail(`column ${name}: more new keys used than the block introduces`);
        state.nextFresh += 1;
        dictionary.push(key);
        return key;
      }
      const key = index >= 0 ? dictionary[index] : undefined;
      if (key === undefined) fail(`column ${name}: a reference points outside the dictionary`);
      return key;
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
        if (at + length > refs.length) fail(`column ${name}: lists longer than their references`);
        const list = new Array<string>(length);
        for (let j = 0; j < length; j += 1) list[j] = resolve(refs[at + j]);
        at += length;
        rowAt(i)[name] = list;
      }
      if (at !== refs.length) fail(`column ${name}: references left over`);
    } else if (type === 'l' && version === 3) {
      const [values, lengths] = Array.isArray(data) && data.length === 2 ? (data as unknown[]) : [];
      if (!Array.isArray(values) || !Array.isArray(lengths) || values.length !== lengths.length)
        fail(`column ${name}: bad runs`);
      let at = 0;
      for (let r = 0; r < (values as unknown[]).length; r += 1) {
        const length = (lengths as unknown[])[r];
        if (typeof length !== 'number' || !Number.isSafeInteger(length) || length < 1 || at + length > count)
          fail(`column ${name}: bad run length`);
        const value = (values as unknown[])[r];
        for (let j = 0; j < length; j += 1) rowAt(at + j)[name] = value;
        at += length;
      }
      if (at !== count) fail(`column ${name}: wrong number of values`);
    } else if (type === 's' && version === 3) {
      const [sourceKind, sourceField, mask, literals] =
        Array.isArray(data) && data.length === 4 ? (data as unknown[]) : [];
      if (typeof sourceKind !== 'string' || sourceKind === kind || typeof sourceField !== 'string')
        fail(`column ${name}: bad source field`);
      if (!Array.isArray(literals)) fail(`column ${name}: bad literals`);
      const given = literals as unknown[];
      if (mask !== null && (typeof mask !== 'string' || mask.length !== count || !/^[01]*$/.test(mask)))
        fail(`column ${name}: bad same-as string`);
      const taking = new Uint8Array(n);
      let literal = 0;
      for (let i = 0; i < count; i += 1) {
        const row = rows === null ? i : (rows[i] as number);
        if (mask === null || mask[i] === '1') taking[row] = 1;
        else {
          if (literal >= given.length) fail(`column ${name}: fewer literals than the same-as string needs`);
          facts[row]![name] = given[literal];
          literal += 1;
        }
      }
      if (literal !== given.length) fail(`column ${name}: literals left over`);
      same.push({ name, kind: sourceKind, field: sourceField, rows: taking });
    } else {
      fail(`column ${name}: unknown type ${JSON.stringify(type)}`);
    }
  }
  return { facts, same };
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
