import type { ProgressPhase } from './progress-observer.js';

/** What a phase has counted so far. */
export interface PhaseSnapshot {
  phase: ProgressPhase;
  elapsedMs: number;
  records: number;
  pages: number;
  /** Records per second since the phase started (0 in its first instant). */
  recordsPerSecond: number;
  /** The type most recently counted (what is being read now), or `null`. */
  currentType: string | null;
  /**
   * Records by resource type, in type order. A list rather than an object keyed by type: the log's privacy
   * filter replaces any `patient` key, and it should not have to make an exception.
   */
  byType: Array<{ type: string; records: number }>;
  expectedRecords: number | undefined;
}

/** The counts of one phase, shared by every reporter (records and pages by resource type, time). */
export class PhaseTally {
  readonly phase: ProgressPhase;
  readonly startedMs: number;
  readonly expectedRecords: number | undefined;
  records = 0;
  pages = 0;
  currentType: string | null = null;
  readonly #byType = new Map<string, number>();

  constructor(phase: ProgressPhase, startedMs: number, expectedRecords?: number) {
    this.phase = phase;
    this.startedMs = startedMs;
    this.expectedRecords = expectedRecords;
  }

  addRecords(resourceType: string, count: number): void {
    this.records += count;
    this.currentType = resourceType;
    this.#byType.set(resourceType, (this.#byType.get(resourceType) ?? 0) + count);
  }

  addPage(resourceType: string): void {
    this.pages += 1;
    this.currentType = resourceType;
  }

  snapshot(nowMs: number): PhaseSnapshot {
    const elapsedMs = Math.max(0, nowMs - this.startedMs);
    return {
      phase: this.phase,
      elapsedMs,
      records: this.records,
      pages: this.pages,
      recordsPerSecond: elapsedMs > 0 ? Math.round((this.records * 1000) / elapsedMs) : 0,
      currentType: this.currentType,
      byType: [...this.#byType.entries()]
        .sort(([a], [b]) => (a < b ? -1 : 1))
        .map(([type, records]) => ({ type, records })),
      expectedRecords: this.expectedRecords,
    };
  }
}
