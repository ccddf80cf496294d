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
 * A table merged in (a reader thread's) is kept as it came, probed for each of its keys, never copied.
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
/** Merged tables kept as segments at most (see `RecordVersions.segments`). */
const MAX_SEGMENTS = 4;
/** The type number of a merged key that lives in an earlier table (see `Segment`): it matches no probe. */
const DEAD = -3;
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
  /** The table's open-addressing slots (see `RecordVersions.slots`), so that a merge need not rebuild them. */
  slots: Int32Array;
}

/**
 * A merged table, kept as it came (its arrays adopted, not copied into this one): its type numbers
 * renumbered as this table's, its winners as this table's occurrences. Keys it shares with this table or
 * an earlier segment are marked `DEAD` here (they live there); the others live here only.
 */
interface Segment {
  keyCount: number;
  hashes: Int32Array;
  keyTypes: Int32Array;
  ends: Int32Array;
  winners: Int32Array;
  winnerLastUpdated: Float64Array;
  winnerOrder: Float64Array;
  arena: Uint8Array;
  wideKeys: Map<number, string>;
  slots: Int32Array;
  versions: Map<number, number>;
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
   * Tables merged in, kept as they came: merging a reader thread's table probes this one for each of its
   * keys and copies nothing (at size XL, copying 2.5 M keys and rehashing 5 M was the peak of RSS, and
   * the merge was main-thread-only time). Later records and merges probe them too.
   */
  private segments: Segment[] = [];

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
    for (const segment of this.segments) {
      const found = findInSegment(segment, hash, keyType, wide ? key : null, arena, start, n);
      if (found >= 0) {
        this.addVersionIn(segment, found, occurrence, lastUpdatedMs, order);
        return occurrence;
      }
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
    for (const segment of this.segments)
      for (const [j, versions] of segment.versions)
        out.push({ key: this.segmentKeyAt(segment, j), versions });
    return out.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  }

  /**
   * The table as plain data: views of its own arrays, not copies (a copy of each at the end of a reader
   * thread was tens of MB more at size L, alive with the table itself), so the table must not be changed
   * after; the engine is finished by its `exportPartial`.
   */
  exportState(): RecordVersionsState {
    this.absorbSegments();
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
      slots: this.slots,
    };
  }

  /**
   * Adds another table's occurrences after this one's (they are read after these, for equal orders) and
   * returns the offset to add to its occurrence indices. Keys both tables hold are one record: the version
   * used is decided again between the two winners. The other table's arrays are adopted as they are (a
   * `Segment`, changed in place), not copied: the state must not be used after.
   */
  mergeState(other: RecordVersionsState): number {
    const base = this.occurrenceCount;
    let size = this.superseded.length;
    while (size < base + other.occurrenceCount) size *= 2;
    if (size !== this.superseded.length) this.superseded = grownUint8(this.superseded, size, base);
    this.superseded.set(other.superseded.subarray(0, other.occurrenceCount), base);
    this.occurrenceCount = base + other.occurrenceCount;
    const typeOf = other.types.map((type) => this.typeNumber(type));
    const segment: Segment = {
      keyCount: other.keyCount,
      hashes: other.hashes,
      keyTypes: other.keyTypes,
      ends: other.ends,
      winners: other.winners,
      winnerLastUpdated: other.winnerLastUpdated,
      winnerOrder: other.winnerOrder,
      arena: other.arena,
      wideKeys: new Map(other.wideKeys),
      slots: other.slots,
      versions: new Map(other.versions),
    };
    const { keyTypes, winners, ends, arena } = segment;
    for (let j = 0; j < segment.keyCount; j++) {
      const otherType = keyTypes[j]!;
      const keyType = otherType === WIDE ? WIDE : typeOf[otherType]!;
      keyTypes[j] = keyType;
      const winner = base + winners[j]!;
      winners[j] = winner;
      const hash = segment.hashes[j]!;
      const start = j === 0 ? 0 : ends[j - 1]!;
      const n = ends[j]! - start;
      const wideKey = keyType === WIDE ? segment.wideKeys.get(j)! : null;
      const lastUpdated = segment.winnerLastUpdated[j]!;
      const order = segment.winnerOrder[j]!;
      // Its versions other than the winner are already marked superseded in its own table; the winner
      // counts as one more version of the key found here, its other versions are added to that key's.
      const extra = segment.versions.get(j);
      const found = this.findOwn(hash, keyType, wideKey, arena, start, n);
      if (found >= 0) {
        this.addVersion(found, winner, lastUpdated, order);
        if (extra !== undefined) this.versions.set(found, this.versions.get(found)! + extra - 1);
      } else {
        let earlier: Segment | undefined;
        let at = -1;
        for (const s of this.segments) {
          at = findInSegment(s, hash, keyType, wideKey, arena, start, n);
          if (at >= 0) {
            earlier = s;
            break;
          }
        }
        if (earlier === undefined) continue; // a key of this segment only
        this.addVersionIn(earlier, at, winner, lastUpdated, order);
        if (extra !== undefined) earlier.versions.set(at, earlier.versions.get(at)! + extra - 1);
      }
      keyTypes[j] = DEAD;
      segment.versions.delete(j);
      if (wideKey !== null) segment.wideKeys.delete(j);
    }
    this.segments.push(segment);
    // Every later record and merge probes each segment: beyond a few (one per reader thread of
    // `esms compute`; a verify merges one per part), they are moved into this table's own arrays.
    if (this.segments.length > MAX_SEGMENTS) this.absorbSegments();
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
    this.segments = [];
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

  /** `addVersion` for a key of a merged segment (its winners are this table's occurrences). */
  private addVersionIn(
    segment: Segment,
    index: number,
    occurrence: number,
    lastUpdatedMs: number,
    order: number,
  ): void {
    segment.versions.set(index, (segment.versions.get(index) ?? 1) + 1);
    const winner = segment.winners[index]!;
    const winnerUpdated = segment.winnerLastUpdated[index]!;
    const winnerOrder = segment.winnerOrder[index]!;
    if (!isNewer(lastUpdatedMs, order, occurrence, winnerUpdated, winnerOrder, winner)) {
      this.superseded[occurrence] = 1;
      return;
    }
    this.superseded[winner] = 1;
    segment.winners[index] = occurrence;
    segment.winnerLastUpdated[index] = lastUpdatedMs;
    segment.winnerOrder[index] = order;
  }

  /** The index of a key in this table's own arrays, or -1 (the probe of `add`, for merges). */
  private findOwn(
    hash: number,
    keyType: number,
    wideKey: string | null,
    bytes: Uint8Array,
    start: number,
    n: number,
  ): number {
    const slots = this.slots;
    const mask = slots.length - 1;
    for (let slot = hash & mask, entry = slots[slot]!; entry !== 0; entry = slots[slot]!) {
      const index = entry - 1;
      if (
        this.hashes[index] === hash &&
        this.keyTypes[index] === keyType &&
        (wideKey !== null ? this.wideKeys.get(index) === wideKey : this.idEquals(index, bytes, start, n))
      )
        return index;
      slot = (slot + 1) & mask;
    }
    return -1;
  }

  /**
   * Moves the keys of merged segments into this table's own arrays (before an export: a state is one
   * table). Their keys are distinct from this table's and from each other's (shared ones are `DEAD`).
   */
  private absorbSegments(): void {
    if (this.segments.length === 0) return;
    const segments = this.segments;
    this.segments = [];
    let keys = this.keyCount;
    let bytes = 0;
    for (const segment of segments) {
      keys += segment.keyCount;
      bytes += segment.arena.length;
    }
    this.reserveKeys(keys);
    this.reserveArena(bytes);
    this.reserveSlots(keys);
    for (const segment of segments) {
      for (let j = 0; j < segment.keyCount; j++) {
        const keyType = segment.keyTypes[j]!;
        if (keyType === DEAD) continue;
        const hash = segment.hashes[j]!;
        const index = this.newKey(
          hash,
          keyType,
          segment.winners[j]!,
          segment.winnerLastUpdated[j]!,
          segment.winnerOrder[j]!,
        );
        if (keyType === WIDE) this.wideKeys.set(index, segment.wideKeys.get(j)!);
        else {
          const start = j === 0 ? 0 : segment.ends[j - 1]!;
          const arena = this.arena;
          const at = this.arenaLength;
          for (let i = start; i < segment.ends[j]!; i++) arena[at + i - start] = segment.arena[i]!;
          this.arenaLength = at + segment.ends[j]! - start;
        }
        this.ends[index] = this.arenaLength;
        const mask = this.slots.length - 1;
        let slot = hash & mask;
        while (this.slots[slot] !== 0) slot = (slot + 1) & mask;
        this.slots[slot] = index + 1;
        const versions = segment.versions.get(j);
        if (versions !== undefined) this.versions.set(index, versions);
      }
    }
  }

  /** `keyAt` for a key of a merged segment. */
  private segmentKeyAt(segment: Segment, j: number): string {
    const type = segment.keyTypes[j]!;
    if (type === WIDE) return segment.wideKeys.get(j)!;
    const start = j === 0 ? 0 : segment.ends[j - 1]!;
    let key = `${this.types[type]!}/`;
    for (let i = start; i < segment.ends[j]!; i++) key += String.fromCharCode(segment.arena[i]!);
    return key;
  }

  private addVersion(index: number, occurrence: number, lastUpdatedMs: number, order: number): void {
    this.versions.set(index, (this.versions.get(index) ?? 1) + 1);
    const winner = this.winners[index]!;
    const winnerUpdated = this.winnerLastUpdated[index]!;
    const winnerOrder = this.winnerOrder[index]!;
    if (!isNewer(lastUpdatedMs, order, occurrence, winnerUpdated, winnerOrder, winner)) {
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

/** The index of a key in a merged segment, or -1 (the probe of `RecordVersions.add`, over its arrays). */
function findInSegment(
  segment: Segment,
  hash: number,
  keyType: number,
  wideKey: string | null,
  bytes: Uint8Array,
  start: number,
  n: number,
): number {
  const { slots, hashes, keyTypes, ends, arena } = segment;
  const mask = slots.length - 1;
  for (let slot = hash & mask, entry = slots[slot]!; entry !== 0; entry = slots[slot]!) {
    const index = entry - 1;
    if (hashes[index] === hash && keyTypes[index] === keyType) {
      if (wideKey !== null) {
        if (segment.wideKeys.get(index) === wideKey) return index;
      } else {
        const mine = index === 0 ? 0 : ends[index - 1]!;
        if (ends[index]! - mine === n) {
          let i = 0;
          while (i < n && arena[mine + i] === bytes[start + i]) i++;
          if (i === n) return index;
        }
      }
    }
    slot = (slot + 1) & mask;
  }
  return -1;
}

/**
 * Whether a version read (its meta.lastUpdated, order and occurrence) replaces the current winner: the latest
 * meta.lastUpdated wins; when equal, the one read last (by order, then by occurrence). The one rule for a
 * table's own keys and for those of a merged segment.
 */
function isNewer(
  lastUpdatedMs: number,
  order: number,
  occurrence: number,
  winnerUpdated: number,
  winnerOrder: number,
  winner: number,
): boolean {
  return (
    lastUpdatedMs > winnerUpdated ||
    (lastUpdatedMs === winnerUpdated &&
      (order > winnerOrder || (order === winnerOrder && occurrence > winner)))
  );
}
