/**
 * indicators.md "Data quality, never silent" → "One `Type/id` is one record": when the input holds the same
 * `Type/id` twice, the one with the latest `meta.lastUpdated` is used (the last read when equal), counted
 * once, and the other is reported as `duplicate-record`.
 *
 * Every record read is an *occurrence*; this table says, for each, whether it is the version of its
 * `Type/id` that is used. The rules count facts as records stream past, but a later version may supersede
 * one already counted, so what a record contributes is kept per occurrence (accumulator.ts) and applied
 * once everything is read, for the used versions only. Memory is a few dozen bytes per record, in typed
 * arrays (nothing per record on the JavaScript heap): the keys in one byte arena, an open-addressing hash
 * table over them, the winning version's `lastUpdated` and order per key, and one flag per occurrence.
 * Keys are compared byte for byte, never by hash alone: two records are one only when their keys are equal.
 */

/** An occurrence that takes part in no deduplication (a record without `Type/id`): always used. */
export const UNIQUE_OCCURRENCE = -1;

const INITIAL_KEYS = 1024;
const INITIAL_ARENA_BYTES = 32 * 1024;
const INITIAL_OCCURRENCES = 1024;
/** Key length marking a key kept in `wideKeys` (it has a character above U+00FF). */
const WIDE = -1;

/** The plain-data form of a table (see `RecordVersions.exportState`): typed arrays and a few strings. */
export interface RecordVersionsState {
  keyCount: number;
  occurrenceCount: number;
  hashes: Int32Array;
  starts: Int32Array;
  lengths: Int32Array;
  winners: Int32Array;
  versions: Int32Array;
  winnerLastUpdated: Float64Array;
  winnerOrder: Float64Array;
  arena: Uint8Array;
  arenaLength: number;
  wideKeys: [number, string][];
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
  private hashes: Int32Array = new Int32Array(INITIAL_KEYS);
  private starts: Int32Array = new Int32Array(INITIAL_KEYS);
  private lengths: Int32Array = new Int32Array(INITIAL_KEYS);
  /** The occurrence used for each key (the latest version so far). */
  private winners: Int32Array = new Int32Array(INITIAL_KEYS);
  /** How many occurrences each key has had. */
  private versions: Int32Array = new Int32Array(INITIAL_KEYS);
  private winnerLastUpdated: Float64Array = new Float64Array(INITIAL_KEYS);
  private winnerOrder: Float64Array = new Float64Array(INITIAL_KEYS);
  private arena: Uint8Array = new Uint8Array(INITIAL_ARENA_BYTES);
  private arenaLength = 0;
  /** Keys with characters a byte cannot hold (rare: FHIR ids are ASCII), by key index. */
  private wideKeys = new Map<number, string>();
  /** Open addressing: key index + 1 per slot, 0 for empty. Its size is a power of two, at most half full. */
  private slots: Int32Array = new Int32Array(INITIAL_KEYS * 2);
  /** 1 for an occurrence superseded by a later version of its key. */
  private superseded: Uint8Array = new Uint8Array(INITIAL_OCCURRENCES);
  /** Keys read more than once (key indices), for the `duplicate-record` findings. */
  private duplicated: number[] = [];

  /**
   * Registers one occurrence of `resourceType/id` and returns its index. `lastUpdatedMs` is the record's
   * `meta.lastUpdated` as a comparable number (`-Infinity` when absent); `order` places it in the input
   * when the caller knows better than the order of the calls (parallel readers); equal orders fall back to
   * the order of the calls. Type and id come apart: reading a concatenated key character by character
   * would make V8 flatten a new string for every record.
   */
  add(resourceType: string, id: string, lastUpdatedMs: number, order: number): number {
    const occurrence = this.newOccurrence();
    // One pass writes `Type/id` after the arena's end (kept only if it is new) and hashes it (FNV-1a); the
    // probe is written out here, without a callback: this runs once per record read.
    const t = resourceType.length;
    const n = t + 1 + id.length;
    this.reserveArena(n);
    const arena = this.arena;
    const start = this.arenaLength;
    let hash = 0x811c9dc5;
    let wide = false;
    for (let i = 0; i < t; i++) {
      const c = resourceType.charCodeAt(i);
      if (c > 0xff) wide = true;
      arena[start + i] = c;
      hash = Math.imul(hash ^ c, 0x01000193);
    }
    arena[start + t] = 0x2f; // '/'
    hash = Math.imul(hash ^ 0x2f, 0x01000193);
    for (let i = 0; i < id.length; i++) {
      const c = id.charCodeAt(i);
      if (c > 0xff) wide = true;
      arena[start + t + 1 + i] = c;
      hash = Math.imul(hash ^ c, 0x01000193);
    }
    hash |= 0;
    const key = wide ? `${resourceType}/${id}` : '';
    const slots = this.slots;
    const mask = slots.length - 1;
    let slot = hash & mask;
    for (let entry = slots[slot]!; entry !== 0; entry = slots[slot]!) {
      const index = entry - 1;
      if (
        this.hashes[index] === hash &&
        (wide ? this.wideKeys.get(index) === key : this.bytesEqual(index, arena, start, n))
      ) {
        this.addVersion(index, occurrence, lastUpdatedMs, order);
        return occurrence;
      }
      slot = (slot + 1) & mask;
    }
    const index = this.newKey(hash, occurrence, lastUpdatedMs, order);
    if (wide) {
      this.wideKeys.set(index, key);
      this.starts[index] = 0;
      this.lengths[index] = WIDE;
    } else {
      this.starts[index] = start;
      this.lengths[index] = n;
      this.arenaLength += n;
    }
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
    return occurrence < 0 || this.superseded[occurrence] === 0;
  }

  /** Every `Type/id` read more than once, in key order. */
  duplicates(): DuplicateRecord[] {
    const out = this.duplicated.map((index) => ({ key: this.keyAt(index), versions: this.versions[index]! }));
    return out.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  }

  exportState(): RecordVersionsState {
    const k = this.keyCount;
    return {
      keyCount: k,
      occurrenceCount: this.occurrenceCount,
      hashes: this.hashes.slice(0, k),
      starts: this.starts.slice(0, k),
      lengths: this.lengths.slice(0, k),
      winners: this.winners.slice(0, k),
      versions: this.versions.slice(0, k),
      winnerLastUpdated: this.winnerLastUpdated.slice(0, k),
      winnerOrder: this.winnerOrder.slice(0, k),
      arena: this.arena.slice(0, this.arenaLength),
      arenaLength: this.arenaLength,
      wideKeys: [...this.wideKeys],
      superseded: this.superseded.slice(0, this.occurrenceCount),
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
    if (size !== this.superseded.length) {
      const grown = new Uint8Array(size);
      grown.set(this.superseded.subarray(0, base));
      this.superseded = grown;
    }
    this.superseded.set(other.superseded.subarray(0, other.occurrenceCount), base);
    this.occurrenceCount = base + other.occurrenceCount;
    const wide = new Map(other.wideKeys);
    for (let j = 0; j < other.keyCount; j++) {
      const hash = other.hashes[j]!;
      const start = other.starts[j]!;
      const length = other.lengths[j]!;
      const wideKey = length === WIDE ? wide.get(j)! : null;
      // The probe, written out (no callback per key).
      const mask = this.slots.length - 1;
      let slot = hash & mask;
      for (let entry = this.slots[slot]!; entry !== 0; entry = this.slots[slot]!) {
        const index = entry - 1;
        if (
          this.hashes[index] === hash &&
          (wideKey !== null
            ? this.keyEquals(index, wideKey)
            : this.bytesEqual(index, other.arena, start, length))
        )
          break;
        slot = (slot + 1) & mask;
      }
      const found = this.slots[slot]! - 1;
      const winner = base + other.winners[j]!;
      const lastUpdated = other.winnerLastUpdated[j]!;
      const order = other.winnerOrder[j]!;
      if (found < 0) {
        const index = this.newKey(hash, winner, lastUpdated, order);
        this.versions[index] = other.versions[j]!;
        if (wideKey !== null) this.storeKey(index, wideKey);
        else this.storeBytes(index, other.arena, start, length);
        this.slots[slot] = index + 1;
        if (other.versions[j]! > 1) this.duplicated.push(index);
        this.growSlotsIfNeeded();
        continue;
      }
      // Its versions other than the winner are already marked superseded in its own table.
      const before = this.versions[found]!;
      this.addVersion(found, winner, lastUpdated, order);
      this.versions[found] = before + other.versions[j]!;
    }
    return base;
  }

  // ---- Internals -----------------------------------------------------------------------------------------

  private addVersion(index: number, occurrence: number, lastUpdatedMs: number, order: number): void {
    if (this.versions[index] === 1) this.duplicated.push(index);
    this.versions[index]!++;
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
    if (this.occurrenceCount === this.superseded.length) {
      const grown = new Uint8Array(this.superseded.length * 2);
      grown.set(this.superseded);
      this.superseded = grown;
    }
    return this.occurrenceCount++;
  }

  private newKey(hash: number, occurrence: number, lastUpdatedMs: number, order: number): number {
    if (this.keyCount === this.hashes.length) this.growKeys();
    const index = this.keyCount++;
    this.hashes[index] = hash;
    this.winners[index] = occurrence;
    this.versions[index] = 1;
    this.winnerLastUpdated[index] = lastUpdatedMs;
    this.winnerOrder[index] = order;
    return index;
  }

  private storeKey(index: number, key: string): void {
    for (let i = 0; i < key.length; i++) {
      if (key.charCodeAt(i) > 0xff) {
        this.wideKeys.set(index, key);
        this.starts[index] = 0;
        this.lengths[index] = WIDE;
        return;
      }
    }
    this.reserveArena(key.length);
    const start = this.arenaLength;
    for (let i = 0; i < key.length; i++) this.arena[start + i] = key.charCodeAt(i);
    this.starts[index] = start;
    this.lengths[index] = key.length;
    this.arenaLength += key.length;
  }

  private storeBytes(index: number, bytes: Uint8Array, start: number, length: number): void {
    this.reserveArena(length);
    const arena = this.arena;
    const at = this.arenaLength;
    for (let i = 0; i < length; i++) arena[at + i] = bytes[start + i]!;
    this.starts[index] = this.arenaLength;
    this.lengths[index] = length;
    this.arenaLength += length;
  }

  private keyEquals(index: number, key: string): boolean {
    const length = this.lengths[index]!;
    if (length === WIDE) return this.wideKeys.get(index) === key;
    if (length !== key.length) return false;
    const start = this.starts[index]!;
    for (let i = 0; i < length; i++) if (this.arena[start + i] !== key.charCodeAt(i)) return false;
    return true;
  }

  private bytesEqual(index: number, bytes: Uint8Array, start: number, length: number): boolean {
    if (this.lengths[index] !== length) return false;
    const mine = this.starts[index]!;
    for (let i = 0; i < length; i++) if (this.arena[mine + i] !== bytes[start + i]) return false;
    return true;
  }

  private keyAt(index: number): string {
    const length = this.lengths[index]!;
    if (length === WIDE) return this.wideKeys.get(index)!;
    const start = this.starts[index]!;
    let key = '';
    for (let i = 0; i < length; i++) key += String.fromCharCode(this.arena[start + i]!);
    return key;
  }

  private reserveArena(bytes: number): void {
    if (this.arenaLength + bytes <= this.arena.length) return;
    let size = this.arena.length * 2;
    while (this.arenaLength + bytes > size) size *= 2;
    const grown = new Uint8Array(size);
    grown.set(this.arena.subarray(0, this.arenaLength));
    this.arena = grown;
  }

  private growKeys(): void {
    const size = this.hashes.length * 2;
    const grow = <T extends Int32Array | Float64Array>(array: T, make: (n: number) => T): T => {
      const grown = make(size);
      grown.set(array);
      return grown;
    };
    const ints = (n: number): Int32Array => new Int32Array(n);
    const floats = (n: number): Float64Array => new Float64Array(n);
    this.hashes = grow(this.hashes, ints);
    this.starts = grow(this.starts, ints);
    this.lengths = grow(this.lengths, ints);
    this.winners = grow(this.winners, ints);
    this.versions = grow(this.versions, ints);
    this.winnerLastUpdated = grow(this.winnerLastUpdated, floats);
    this.winnerOrder = grow(this.winnerOrder, floats);
  }

  /** Keeps the table at most half full, so that probes stay short. */
  private growSlotsIfNeeded(): void {
    if (this.keyCount * 2 <= this.slots.length) return;
    const slots = new Int32Array(this.slots.length * 2);
    const mask = slots.length - 1;
    for (let index = 0; index < this.keyCount; index++) {
      let slot = this.hashes[index]! & mask;
      while (slots[slot] !== 0) slot = (slot + 1) & mask;
      slots[slot] = index + 1;
    }
    this.slots = slots;
  }
}
