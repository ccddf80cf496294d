/**
 * indicators.md "Data quality, never silent" → "One `Type/id` is one record": when the input holds the same
 * `Type/id` twice, the one with the latest `meta.lastUpdated` is used (the last read when equal), counted
 * once, and the other is reported as `duplicate-record`.
 *
 * Every record read is an *occurrence*; this table says, for each, whether it is the version of its
 * `Type/id` that is used. The rules count facts as records stream past, but a later version may supersede
 * one already counted, so what a record contributes is kept per occurrence (accumulator.ts) and applied
 * once everything is read, for the used versions only. Memory is about 40 bytes per record, in typed
 * arrays (nothing per record on the JavaScript heap): each resource type is kept once (its name, and the
 * hash of `Type/` it starts every key with), each key as its type's number and its id's bytes in one arena,
 * an open-addressing hash table over them, the winning version's `lastUpdated` and order per key, and one
 * flag per occurrence; how many versions a key had is kept only for keys read more than once.
 * Keys are compared byte for byte, never by hash alone: two records are one only when their keys are equal.
 */

import { SdkError } from '../errors.js';
import { discardBuffer, grownFloat64, grownInt32, grownUint8 } from '../typed-array-memory.js';

/** An occurrence that takes part in no deduplication (a record without `Type/id`): always used. */
export const UNIQUE_OCCURRENCE = -1;

const INITIAL_KEYS = 1024;
const INITIAL_ARENA_BYTES = 16 * 1024;
const INITIAL_OCCURRENCES = 1024;
/**
 * The type number of a key kept whole in `wideKeys`: it has a character above U+00FF, or a second `/` (then
 * `A/b` + `c` and `A` + `b/c` are one key, `A/b/c`, as the rule compares whole `Type/id` strings).
 */
const WIDE = -1;
const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;
const SLASH = 0x2f;

/** The plain-data form of a table (see `RecordVersions.exportState`): typed arrays and a few strings. */
export interface RecordVersionsState {
  keyCount: number;
  occurrenceCount: number;
  /** Resource types, by type number. */
  types: string[];
  hashes: Int32Array;
  /** Per key, its type number (`WIDE`: the key is in `wideKeys`). */
  keyTypes: Int32Array;
  /** Per key, where its id's bytes end in `arena` (they start where the previous key's end). */
  ends: Int32Array;
  winners: Int32Array;
  winnerLastUpdated: Float64Array;
  winnerOrder: Float64Array;
  arena: Uint8Array;
  wideKeys: [number, string][];
  /** Keys read more than once: key index, versions read. */
  versions: [number, number][];
  superseded: Uint8Array;
}

/** A `Type/id` read more than once: how many versions were read. */
export interface DuplicateRecord {
  key: string;
  versions: number;
}

export class RecordVersions {
  private keyCount = 0;
  private occurrenceCount = 0;
  /** Resource types by number, their numbers, and the FNV-1a state after `Type/` (every key starts so). */
  private readonly types: string[] = [];
  private readonly typeNumbers = new Map<string, number>();
  private typeHashes: number[] = [];
  /** Types with a character a byte cannot hold, or a `/`: their keys are kept whole (`wideKeys`). */
  private typeIsWide: boolean[] = [];
  /** The last type looked up: records come in long runs of one type. */
  private lastType = '';
  private lastTypeNumber = -2;
  private hashes: Int32Array = new Int32Array(INITIAL_KEYS);
  private keyTypes: Int32Array = new Int32Array(INITIAL_KEYS);
  private ends: Int32Array = new Int32Array(INITIAL_KEYS);
  /** The occurrence used for each key (the latest version so far). */
  private winners: Int32Array = new Int32Array(INITIAL_KEYS);
  private winnerLastUpdated: Float64Array = new Float64Array(INITIAL_KEYS);
  private winnerOrder: Float64Array = new Float64Array(INITIAL_KEYS);
  /** The ids' bytes, key after key. */
  private arena: Uint8Array = new Uint8Array(INITIAL_ARENA_BYTES);
  private arenaLength = 0;
  /** Keys with characters a byte cannot hold or a second `/` (rare: FHIR ids are ASCII without `/`), whole. */
  private wideKeys = new Map<number, string>();
  /** Open addressing: key index + 1 per slot, 0 for empty. Its size is a power of two, at most half full. */
  private slots: Int32Array = new Int32Array(INITIAL_KEYS * 2);
  /** 1 for an occurrence superseded by a later version of its key. */
  private superseded: Uint8Array = new Uint8Array(INITIAL_OCCURRENCES);
  /** Keys read more than once (key index → versions read), in the order they were first read again. */
  private versions = new Map<number, number>();

  /**
   * Registers one occurrence of `resourceType/id` and returns its index. `lastUpdatedMs` is the record's
   * `meta.lastUpdated` as a comparable number (`-Infinity` when absent); `order` places it in the input
   * when the caller knows better than the order of the calls (parallel readers); equal orders fall back to
   * the order of the calls. Type and id come apart: reading a concatenated key character by character
   * would make V8 flatten a new string for every record.
   */
  add(resourceType: string, id: string, lastUpdatedMs: number, order: number): number {
    const occurrence = this.newOccurrence();
    const type =
      this.lastTypeNumber >= 0 && resourceType === this.lastType
        ? this.lastTypeNumber
        : this.typeNumber(resourceType);
    // One pass writes the id after the arena's end (kept only if the key is new) and hashes it, from the
    // hash of `Type/`; the probe is written out here, without a callback: this runs once per record read.
    const n = id.length;
    this.reserveArena(n);
    const arena = this.arena;
    const start = this.arenaLength;
    let hash = this.typeHashes[type]!;
    let wide = this.typeIsWide[type]!;
    for (let i = 0; i < n; i++) {
      const c = id.charCodeAt(i);
      if (c > 0xff || c === SLASH) wide = true;
      arena[start + i] = c;
      hash = Math.imul(hash ^ c, FNV_PRIME);
    }
    hash |= 0;
    const key = wide ? `${resourceType}/${id}` : '';
    const keyType = wide ? WIDE : type;
    const slots = this.slots;
    const mask = slots.length - 1;
    let slot = hash & mask;
    for (let entry = slots[slot]!; entry !== 0; entry = slots[slot]!) {
      const index = entry - 1;
      if (
        this.hashes[index] === hash &&
        this.keyTypes[index] === keyType &&
        (wide ? this.wideKeys.get(index) === key : this.idEquals(index, arena, start, n))
      ) {
        this.addVersion(index, occurrence, lastUpdatedMs, order);
        return occurrence;
      }
      slot = (slot + 1) & mask;
    }
    const index = this.newKey(hash, keyType, occurrence, lastUpdatedMs, order);
    if (wide) this.wideKeys.set(index, key);
    else this.arenaLength += n;
    this.ends[index] = this.arenaLength;
    slots[slot] = index + 1;
    this.growSlotsIfNeeded();
    return occurrence;
  }

  /**
   * One flag per occurrence, 1 for a superseded version (read-only: for loops that test many occurrences;
   * an occurrence < 0 is always used).
   */
  supersededFlags(): Uint8Array {
    return this.superseded;
  }

  /** Whether an occurrence is the version used (records without `Type/id` always are). */
  isUsed(occurrence: number): boolean {
    if (this.released)
      throw new SdkError('engine-finished', 'the record versions were released: the engine has finished');
    return occurrence < 0 || this.superseded[occurrence] === 0;
  }

  /** Every `Type/id` read more than once, in key order. */
  duplicates(): DuplicateRecord[] {
    const out = [...this.versions].map(([index, versions]) => ({ key: this.keyAt(index), versions }));
    return out.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  }

  /**
   * The table as plain data: views of its own arrays, not copies (a copy of each at the end of a reader
   * thread was tens of MB more at size L, alive with the table itself), so the table must not be changed
   * after; the engine is finished by its `exportPartial`.
   */
  exportState(): RecordVersionsState {
    const k = this.keyCount;
    return {
      keyCount: k,
      occurrenceCount: this.occurrenceCount,
      types: [...this.types],
      hashes: this.hashes.subarray(0, k),
      keyTypes: this.keyTypes.subarray(0, k),
      ends: this.ends.subarray(0, k),
      winners: this.winners.subarray(0, k),
      winnerLastUpdated: this.winnerLastUpdated.subarray(0, k),
      winnerOrder: this.winnerOrder.subarray(0, k),
      arena: this.arena.subarray(0, this.arenaLength),
      wideKeys: [...this.wideKeys],
      versions: [...this.versions],
      superseded: this.superseded.subarray(0, this.occurrenceCount),
    };
  }

  /**
   * Adds another table's occurrences after this one's (they are read after these, for equal orders) and
   * returns the offset to add to its occurrence indices. Keys both tables hold are one record: the version
   * used is decided again between the two winners.
   */
  mergeState(other: RecordVersionsState): number {
    const base = this.occurrenceCount;
    let size = this.superseded.length;
    while (size < base + other.occurrenceCount) size *= 2;
    if (size !== this.superseded.length) this.superseded = grownUint8(this.superseded, size, base);
    this.superseded.set(other.superseded.subarray(0, other.occurrenceCount), base);
    this.occurrenceCount = base + other.occurrenceCount;
    // Room for every key at once: growing step by step would keep several copies of each array alive.
    this.reserveKeys(this.keyCount + other.keyCount);
    this.reserveArena(other.arena.length);
    this.reserveSlots(this.keyCount + other.keyCount);
    const typeOf = other.types.map((type) => this.typeNumber(type));
    const wide = new Map(other.wideKeys);
    // Each of the other's keys here, for its versions counted after the loop (few keys have more than one).
    const mapped = new Int32Array(other.keyCount);
    const otherArena = other.arena;
    for (let j = 0; j < other.keyCount; j++) {
      const hash = other.hashes[j]!;
      const otherType = other.keyTypes[j]!;
      const keyType = otherType === WIDE ? WIDE : typeOf[otherType]!;
      const start = j === 0 ? 0 : other.ends[j - 1]!;
      const n = other.ends[j]! - start;
      const wideKey = otherType === WIDE ? wide.get(j)! : null;
      // The probe, written out (no callback per key).
      const mask = this.slots.length - 1;
      let slot = hash & mask;
      for (let entry = this.slots[slot]!; entry !== 0; entry = this.slots[slot]!) {
        const index = entry - 1;
        if (
          this.hashes[index] === hash &&
          this.keyTypes[index] === keyType &&
          (wideKey !== null
            ? this.wideKeys.get(index) === wideKey
            : this.idEquals(index, other.arena, start, n))
        )
          break;
        slot = (slot + 1) & mask;
      }
      const found = this.slots[slot]! - 1;
      const winner = base + other.winners[j]!;
      const lastUpdated = other.winnerLastUpdated[j]!;
      const order = other.winnerOrder[j]!;
      if (found < 0) {
        const index = this.newKey(hash, keyType, winner, lastUpdated, order);
        if (wideKey !== null) this.wideKeys.set(index, wideKey);
        else {
          // Byte by byte: ids are short, and a `subarray` per key would be an object per key.
          const arena = this.arena;
          const at = this.arenaLength;
          for (let i = 0; i < n; i++) arena[at + i] = otherArena[start + i]!;
          this.arenaLength = at + n;
        }
        this.ends[index] = this.arenaLength;
        this.slots[slot] = index + 1;
        mapped[j] = index;
        continue;
      }
      // Its versions other than the winner are already marked superseded in its own table; this counts the
      // winner as one more version here, the others are added below.
      this.addVersion(found, winner, lastUpdated, order);
      mapped[j] = found;
    }
    for (const [j, versions] of other.versions) {
      const index = mapped[j]!;
      this.versions.set(index, (this.versions.get(index) ?? 1) + versions - 1);
    }
    return base;
  }

  /**
   * Drops every array, once `duplicates` has been read and nothing more is asked of the table (the end of
   * `Accumulator.settle`): about 50 bytes per record, freed before `finalize` builds its results (at size XL
   * they were hundreds of MB still resident at the peak). Lookups on a released table fail loudly.
   */
  release(): void {
    this.released = true;
    for (const array of [
      this.hashes,
      this.keyTypes,
      this.ends,
      this.winners,
      this.winnerLastUpdated,
      this.winnerOrder,
      this.arena,
      this.slots,
      this.superseded,
    ])
      discardBuffer(array);
    this.hashes = new Int32Array(0);
    this.keyTypes = new Int32Array(0);
    this.ends = new Int32Array(0);
    this.winners = new Int32Array(0);
    this.winnerLastUpdated = new Float64Array(0);
    this.winnerOrder = new Float64Array(0);
    this.arena = new Uint8Array(0);
    this.arenaLength = 0;
    this.slots = new Int32Array(0);
    this.superseded = new Uint8Array(0);
    this.wideKeys = new Map();
    this.versions = new Map();
  }
  private released = false;

  // ---- Internals -----------------------------------------------------------------------------------------

  /** The number of a resource type, added on first sight with the hash of `Type/`. */
  private typeNumber(resourceType: string): number {
    let type = this.typeNumbers.get(resourceType);
    if (type === undefined) {
      type = this.types.length;
      let hash = FNV_OFFSET;
      let wide = false;
      for (let i = 0; i < resourceType.length; i++) {
        const c = resourceType.charCodeAt(i);
        if (c > 0xff || c === SLASH) wide = true;
        hash = Math.imul(hash ^ c, FNV_PRIME);
      }
      this.types.push(resourceType);
      this.typeNumbers.set(resourceType, type);
      this.typeHashes.push(Math.imul(hash ^ SLASH, FNV_PRIME));
      this.typeIsWide.push(wide);
    }
    this.lastType = resourceType;
    this.lastTypeNumber = type;
    return type;
  }

  private addVersion(index: number, occurrence: number, lastUpdatedMs: number, order: number): void {
    this.versions.set(index, (this.versions.get(index) ?? 1) + 1);
    const winner = this.winners[index]!;
    const winnerUpdated = this.winnerLastUpdated[index]!;
    const winnerOrder = this.winnerOrder[index]!;
    // The latest meta.lastUpdated wins; when equal, the one read last (by order, then by occurrence).
    const newer =
      lastUpdatedMs > winnerUpdated ||
      (lastUpdatedMs === winnerUpdated &&
        (order > winnerOrder || (order === winnerOrder && occurrence > winner)));
    if (!newer) {
      this.superseded[occurrence] = 1;
      return;
    }
    this.superseded[winner] = 1;
    this.winners[index] = occurrence;
    this.winnerLastUpdated[index] = lastUpdatedMs;
    this.winnerOrder[index] = order;
  }

  private newOccurrence(): number {
    if (this.occurrenceCount === this.superseded.length)
      this.superseded = grownUint8(this.superseded, this.superseded.length * 2, this.occurrenceCount);
    return this.occurrenceCount++;
  }

  private newKey(
    hash: number,
    keyType: number,
    occurrence: number,
    lastUpdatedMs: number,
    order: number,
  ): number {
    if (this.keyCount === this.hashes.length) this.reserveKeys(this.keyCount + 1);
    const index = this.keyCount++;
    this.hashes[index] = hash;
    this.keyTypes[index] = keyType;
    this.winners[index] = occurrence;
    this.winnerLastUpdated[index] = lastUpdatedMs;
    this.winnerOrder[index] = order;
    return index;
  }

  /** Whether key `index` (not wide) has the id `bytes[start, start + length)`; its type is compared apart. */
  private idEquals(index: number, bytes: Uint8Array, start: number, length: number): boolean {
    const mine = index === 0 ? 0 : this.ends[index - 1]!;
    if (this.ends[index]! - mine !== length) return false;
    const arena = this.arena;
    for (let i = 0; i < length; i++) if (arena[mine + i] !== bytes[start + i]) return false;
    return true;
  }

  private keyAt(index: number): string {
    const type = this.keyTypes[index]!;
    if (type === WIDE) return this.wideKeys.get(index)!;
    const start = index === 0 ? 0 : this.ends[index - 1]!;
    let key = `${this.types[type]!}/`;
    for (let i = start; i < this.ends[index]!; i++) key += String.fromCharCode(this.arena[i]!);
    return key;
  }

  private reserveArena(bytes: number): void {
    if (this.arenaLength + bytes <= this.arena.length) return;
    let size = this.arena.length * 2;
    while (this.arenaLength + bytes > size) size *= 2;
    this.arena = grownUint8(this.arena, size, this.arenaLength);
  }

  /** Room for `keys` keys in every per-key array (doubling). */
  private reserveKeys(keys: number): void {
    if (keys <= this.hashes.length) return;
    let size = this.hashes.length * 2;
    while (size < keys) size *= 2;
    const ints = (array: Int32Array): Int32Array => grownInt32(array, size, this.keyCount);
    const floats = (array: Float64Array): Float64Array => grownFloat64(array, size, this.keyCount);
    this.hashes = ints(this.hashes);
    this.keyTypes = ints(this.keyTypes);
    this.ends = ints(this.ends);
    this.winners = ints(this.winners);
    this.winnerLastUpdated = floats(this.winnerLastUpdated);
    this.winnerOrder = floats(this.winnerOrder);
  }

  /** Keeps the table at most half full, so that probes stay short. */
  private growSlotsIfNeeded(): void {
    this.reserveSlots(this.keyCount);
  }

  /** Slots for `keys` keys at most half full; one rehash of the keys already in (a merge reserves at once). */
  private reserveSlots(keys: number): void {
    if (keys * 2 <= this.slots.length) return;
    let size = this.slots.length * 2;
    while (keys * 2 > size) size *= 2;
    const slots = new Int32Array(size);
    const mask = slots.length - 1;
    for (let index = 0; index < this.keyCount; index++) {
      let slot = this.hashes[index]! & mask;
      while (slots[slot] !== 0) slot = (slot + 1) & mask;
      slots[slot] = index + 1;
    }
    discardBuffer(this.slots);
    this.slots = slots;
  }
}
