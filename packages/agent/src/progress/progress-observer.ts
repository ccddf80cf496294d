/**
 * What long work reports as it goes (STYLE.md §2: a small interface at the edge). The runner and the
 * compute path call it; a source only calls `pageRead`, a reader only `recordsRead`. How it is shown (a
 * status line on a terminal, phase lines in the log, nothing) is the reporter's business, chosen once by
 * the command (`progressReporter`).
 */

/** The phases of a run (`read` → `compute` → `seal` → `submit`), and the generator's one phase. */
export type ProgressPhase = 'read' | 'compute' | 'seal' | 'submit' | 'generate';

/** Counts a phase ends with, beside its duration (aggregates only: never a record or an id of one). */
export type PhaseDetails = Readonly<Record<string, number | string | boolean | null>>;

export interface PhaseStart {
  /** How many records the phase should see, when known (the generator's target): shown as a percentage. */
  expectedRecords?: number | undefined;
}

export interface PhaseEnd {
  /** `failed`: the phase stopped on an error or a signal. Default `ok`. */
  outcome?: 'ok' | 'failed' | undefined;
  details?: PhaseDetails | undefined;
}

/** Counts records as they are read (or written), by resource type. Called per record: keep it cheap. */
export interface RecordCounter {
  recordsRead(resourceType: string, count: number): void;
}

/** Told of each page of a FHIR search (sources call this, and nothing else). */
export interface PageCounter {
  pageRead(resourceType: string): void;
}

export interface ProgressObserver extends RecordCounter, PageCounter {
  phaseStarted(phase: ProgressPhase, start?: PhaseStart): void;
  phaseEnded(phase: ProgressPhase, end?: PhaseEnd): void;
}

/** Reports nothing (tests, `--no-progress`, embedding programs). */
export const SILENT_PROGRESS: ProgressObserver = {
  phaseStarted: () => undefined,
  phaseEnded: () => undefined,
  recordsRead: () => undefined,
  pageRead: () => undefined,
};

/**
 * Runs `work` as `phase`: started, then ended `ok` with the details `work` returns (or none), or
 * `failed` when it throws (the error goes on).
 */
export async function inPhase<T>(
  progress: ProgressObserver,
  phase: ProgressPhase,
  work: () => Promise<T>,
  details?: (result: T) => PhaseDetails,
  /** How the phase ended when `work` returns (default `ok`): a delivery that failed is not `ok`. */
  outcome?: (result: T) => 'ok' | 'failed',
): Promise<T> {
  progress.phaseStarted(phase);
  let result: T;
  try {
    result = await work();
  } catch (error) {
    progress.phaseEnded(phase, { outcome: 'failed' });
    throw error;
  }
  progress.phaseEnded(phase, { outcome: outcome?.(result) ?? 'ok', details: details?.(result) });
  return result;
}
