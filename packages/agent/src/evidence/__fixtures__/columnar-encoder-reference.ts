/**
 * The columnar encoder as it was before it took the SDK's facts unpseudonymised (issue 13), kept unchanged as
 * the reference the tests compare the fused encoder's bytes with (projection-facts.test.ts,
 * projection-codec.test.ts): sealed projections must not change for the same input and secret.
 */
import {
  COLUMNAR_BLOCK_FACTS,
  COLUMNAR_DICTIONARY_KEYS,
  COLUMNAR_HEADER_LINE,
  DEFAULT_KEY_FIELDS,
  type ProjectionEncoder,
} from '../projection-codec.js';
import type { Fact } from '../recompute.js';

const RUN_COLUMN_VALUES_PER_RUN = 4;
const SAME_COLUMN_SHARE = 0.75;
const SAME_COLUMN_SAMPLE = 8;
const SEQUENCE_ALPHABET = '0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';
const PSEUDONYM_BODY = /^p:[A-Za-z0-9_-]{22}$/;

/** An encoder that hands each finished line (with its `\n`) to `emit`. */
export function createReferenceColumnarEncoder(
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
): Pick<ProjectionEncoder, 'add' | 'end'> {
  const blockFacts = options.blockFacts ?? COLUMNAR_BLOCK_FACTS;
  const capacity = options.dictionaryKeys ?? COLUMNAR_DICTIONARY_KEYS;
  const keyFields = new Set(options.keyFields ?? DEFAULT_KEY_FIELDS);
  // The block being filled, in input order, and its facts by kind.
  let buffer: Fact[] = [];
  let groups = new Map<string, Fact[]>();
  let dictionary = new Map<string, number>();
  let ended = false;
  let resetFirst = options.segment === true;
  if (!resetFirst) emit(COLUMNAR_HEADER_LINE);

  const flush = (): void => {
    if (buffer.length === 0) return;
    const facts = buffer;
    const byKind = groups;
    buffer = [];
    groups = new Map();
    let reset = resetFirst;
    resetFirst = false;
    const kinds = [...byKind.keys()].sort();
    // The block's key slots, in one pass (a million facts pass here at size L).
    let slots = 0;
    for (const fact of facts) {
      for (const name in fact) {
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
    const layout = blockLayout(facts, kinds, byKind);
    const encoded: unknown[] = [];
    for (const [g, kind] of kinds.entries()) {
      const group = byKind.get(kind) as Fact[];
      encoded.push([kind, group.length, encodeColumns(g, layout, keyFields, dictionary, indexOf)]);
    }
    let seq: string | null = null;
    if (kinds.length > 1) {
      const code = new Map(kinds.map((kind, i) => [kind, SEQUENCE_ALPHABET[i] as string]));
      seq = facts.map((fact) => code.get(kindOf(fact)) as string).join('');
    }
    const block: Record<string, unknown> = { n: facts.length };
    if (reset) block['reset'] = true;
    block['seq'] = seq;
    block['new'] = [bodies.join(''), others];
    block['groups'] = encoded;
    emit(`${JSON.stringify(block)}\n`);
  };

  return {
    add(fact) {
      if (ended) throw new Error('projection encoder already ended');
      const kind = kindOf(fact);
      let group = groups.get(kind);
      if (group === undefined) {
        // A block names at most as many kinds as its sequence has characters.
        if (groups.size >= SEQUENCE_ALPHABET.length) flush();
        group = [];
        groups.set(kind, group);
      }
      group.push(fact);
      buffer.push(fact);
      if (buffer.length >= blockFacts) flush();
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

/** A block's facts by group, for the columns that refer to the fact of another kind just before. */
interface BlockLayout {
  facts: readonly Fact[];
  kinds: readonly string[];
  groups: readonly (readonly Fact[])[];
  /** Per group, the block positions of its facts. */
  positions: readonly Int32Array[];
  /** Per group, its fields (`k` aside), sorted. */
  fields: readonly (readonly string[])[];
  /** Per group `h`, for each block position, the position of the latest fact of `h` before it (−1: none). */
  latest(h: number): Int32Array;
}

function blockLayout(
  facts: readonly Fact[],
  kinds: readonly string[],
  byKind: ReadonlyMap<string, Fact[]>,
): BlockLayout {
  const groups = kinds.map((kind) => byKind.get(kind) as Fact[]);
  const groupOf = new Map(kinds.map((kind, g) => [kind, g]));
  const positions = groups.map((group) => new Int32Array(group.length));
  const taken = new Array<number>(kinds.length).fill(0);
  const groupAt = new Int32Array(facts.length);
  for (let i = 0; i < facts.length; i += 1) {
    const g = groupOf.get(kindOf(facts[i] as Fact)) as number;
    groupAt[i] = g;
    (positions[g] as Int32Array)[taken[g] as number] = i;
    taken[g] = (taken[g] as number) + 1;
  }
  const fields = groups.map((group) => {
    const names = new Set<string>();
    for (const fact of group) for (const name in fact) names.add(name);
    names.delete('k');
    return [...names].sort();
  });
  const latestOf = new Map<number, Int32Array>();
  return {
    facts,
    kinds,
    groups,
    positions,
    fields,
    latest(h) {
      let found = latestOf.get(h);
      if (found !== undefined) return found;
      found = new Int32Array(facts.length);
      let last = -1;
      for (let i = 0; i < facts.length; i += 1) {
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
  let best: { h: number; field: string; same: boolean[]; matches: number } | undefined;
  for (let h = 0; h < layout.kinds.length; h += 1) {
    if (h === g) continue;
    const latest = layout.latest(h);
    for (const field of layout.fields[h] as string[]) {
      const sourceOf = (i: number): unknown => {
        const at = latest[rows[i] as number] as number;
        return at < 0 ? undefined : (layout.facts[at] as Fact)[field];
      };
      let sampled = 0;
      for (let i = 0; i < sample; i += 1) if (sourceOf(i) === values[i]) sampled += 1;
      if (sampled < sample - 1) continue;
      const same = new Array<boolean>(values.length);
      let matches = 0;
      for (let i = 0; i < values.length; i += 1) {
        const source = sourceOf(i);
        same[i] = source !== undefined && source === values[i];
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

/** The columns of group `g` (the facts of one kind in a block). */
function encodeColumns(
  g: number,
  layout: BlockLayout,
  keyFields: ReadonlySet<string>,
  dictionary: ReadonlyMap<string, number>,
  indexOf: (key: string) => number,
): unknown[] {
  const facts = layout.groups[g] as readonly Fact[];
  const positions = layout.positions[g] as Int32Array;
  const cols: unknown[] = [];
  for (const field of layout.fields[g] as string[]) {
    const values: unknown[] = [];
    const rows: number[] = [];
    for (let i = 0; i < facts.length; i += 1) {
      const value = (facts[i] as Fact)[field];
      if (value === undefined) continue;
      values.push(value);
      rows.push(positions[i] as number);
    }
    const presence =
      values.length === facts.length ? null : facts.map((f) => (f[field] !== undefined ? '1' : '0')).join('');
    const same = sameAs(g, rows, values, layout);
    if (same !== undefined) {
      const all = same.matches === values.length;
      cols.push([
        field,
        's',
        presence,
        [
          layout.kinds[same.h],
          same.field,
          all ? null : same.same.map((s) => (s ? '1' : '0')).join(''),
          all ? [] : values.filter((_, i) => !same.same[i]),
        ],
      ]);
      continue;
    }
    const type = keyFields.has(field) ? keyColumnType(values) : 'v';
    if (type === 'v') {
      const runs = runsOf(values);
      cols.push(runs === undefined ? [field, 'v', presence, values] : [field, 'l', presence, runs]);
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
  return cols;
}

function keyColumnType(values: readonly unknown[]): 'r' | 'R' | 'v' {
  if (values.every((v) => v === null || typeof v === 'string')) return 'r';
  if (values.every((v) => Array.isArray(v) && v.every((s) => typeof s === 'string'))) return 'R';
  return 'v';
}

