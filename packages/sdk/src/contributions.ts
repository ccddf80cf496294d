/**
 * What each record contributes to the counts, kept per occurrence until everything is read, so that only
 * the version of a `Type/id` that is used counts (resolve/record-versions.ts says why). The rules compute
 * a contribution as the record streams past (the zones where its time falls in P, the person it is about)
 * and log it here; `Accumulator.settle` applies the contributions of used records once, at the end.
 * Only contributions that change something are logged (an event outside P in every zone is not), in typed
 * arrays: a few bytes each, nothing on the JavaScript heap.
 */
import { discardBuffer, grownFloat64, grownInt32, grownUint8 } from './typed-array-memory.js';
import type { ZoneSet } from './vocabulary/zone-set.js';

/** What a contribution does (`target` is a person index unless said otherwise). */
export const CONTRIBUTION = {
  /** rules/updated.ts: `updated |= zones`. */
  updated: 1,
  /** rules/agenda-event.ts: `event |= zones`. */
  event: 2,
  /** rules/agenda-event.ts: `eventByPartOf[ref] |= zones` (ref: a string, the partOf key). */
  eventByPartOf: 3,
  /** rules/projet-personnalise.ts: `pp |= zones`, and `ppOther` unless zones is every zone. */
  projetPersonnalise: 4,
  /** rules/projet-personnalise.ts: `ppOnHold |= zones`. */
  projetPersonnaliseOnHold: 5,
  /** rules/projet-personnalise.ts: `ppOther = true`. */
  projetPersonnaliseOther: 6,
  /** rules/dmp.ts: `dmpByOrg[ref] |= zones` (ref: a string, the organisation key). */
  dmpByAgent: 7,
  /** rules/updated.ts: one more record updated after P in each of `zones` (no target). */
  updatedAfterPeriod: 8,
  /** rules/usage-event.ts: one usage event of kind `ref` at `at`, counted at organisation `target` (a string). */
  usageAtOrganisation: 9,
} as const;
export type ContributionOp = (typeof CONTRIBUTION)[keyof typeof CONTRIBUTION];

const INITIAL_CAPACITY = 1024;

/** The plain-data form of a log (see `ContributionLog.exportState`). */
export interface ContributionLogState {
  length: number;
  occurrences: Int32Array;
  ops: Uint8Array;
  targets: Int32Array;
  zones: Int32Array;
  refs: Int32Array;
  at: Float64Array;
}

export class ContributionLog {
  length = 0;
  occurrences: Int32Array = new Int32Array(INITIAL_CAPACITY);
  ops: Uint8Array = new Uint8Array(INITIAL_CAPACITY);
  targets: Int32Array = new Int32Array(INITIAL_CAPACITY);
  zones: Int32Array = new Int32Array(INITIAL_CAPACITY);
  refs: Int32Array = new Int32Array(INITIAL_CAPACITY);
  at: Float64Array = new Float64Array(INITIAL_CAPACITY);

  push(occurrence: number, op: ContributionOp, target: number, zones: ZoneSet, ref = 0, at = 0): void {
    if (this.length === this.ops.length) this.grow();
    const i = this.length++;
    this.occurrences[i] = occurrence;
    this.ops[i] = op;
    this.targets[i] = target;
    this.zones[i] = zones;
    this.refs[i] = ref;
    this.at[i] = at;
  }

  /** Views of the log's own arrays, not copies (see `RecordVersions.exportState`): the log must not change after. */
  exportState(): ContributionLogState {
    const n = this.length;
    return {
      length: n,
      occurrences: this.occurrences.subarray(0, n),
      ops: this.ops.subarray(0, n),
      targets: this.targets.subarray(0, n),
      zones: this.zones.subarray(0, n),
      refs: this.refs.subarray(0, n),
      at: this.at.subarray(0, n),
    };
  }

  /**
   * Appends another log, mapping its occurrences, targets and refs into this accumulator's numbering
   * (occurrences shifted by `occurrenceBase`; persons and strings through the given index maps).
   */
  append(
    other: ContributionLogState,
    occurrenceBase: number,
    personIndex: readonly number[],
    stringIndex: readonly number[],
  ): void {
    // Grown once to the size needed: growing step by step kept each intermediate copy alive until collected.
    if (this.ops.length < this.length + other.length) this.grow(this.length + other.length);
    for (let i = 0; i < other.length; i++) {
      const op = other.ops[i]! as ContributionOp;
      const occurrence = other.occurrences[i]!;
      const target = other.targets[i]!;
      const ref = other.refs[i]!;
      const j = this.length++;
      this.occurrences[j] = occurrence < 0 ? occurrence : occurrence + occurrenceBase;
      this.ops[j] = op;
      this.targets[j] =
        op === CONTRIBUTION.usageAtOrganisation
          ? stringIndex[target]!
          : op === CONTRIBUTION.updatedAfterPeriod
            ? target
            : personIndex[target]!;
      this.zones[j] = other.zones[i]!;
      this.refs[j] =
        op === CONTRIBUTION.eventByPartOf || op === CONTRIBUTION.dmpByAgent ? stringIndex[ref]! : ref;
      this.at[j] = other.at[i]!;
    }
  }

  /** Drops the arrays once the log has been applied (`Accumulator.settle`); see `RecordVersions.release`. */
  release(): void {
    for (const array of [this.occurrences, this.ops, this.targets, this.zones, this.refs, this.at])
      discardBuffer(array);
    this.length = 0;
    this.occurrences = new Int32Array(0);
    this.ops = new Uint8Array(0);
    this.targets = new Int32Array(0);
    this.zones = new Int32Array(0);
    this.refs = new Int32Array(0);
    this.at = new Float64Array(0);
  }

  private grow(needed = this.length + 1): void {
    let size = Math.max(INITIAL_CAPACITY, this.ops.length * 2);
    while (size < needed) size *= 2;
    const n = this.length;
    this.occurrences = grownInt32(this.occurrences, size, n);
    this.targets = grownInt32(this.targets, size, n);
    this.zones = grownInt32(this.zones, size, n);
    this.refs = grownInt32(this.refs, size, n);
    this.ops = grownUint8(this.ops, size, n);
    this.at = grownFloat64(this.at, size, n);
  }
}
