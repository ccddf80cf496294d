import { mkdir, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileDurably } from '../durable-fs.js';

/**
 * One record per run in `<dataDir>/runs/`, written durably at the start (`running`) and at the end, so
 * `esms status` can tell what happened, including a run that a crash interrupted. Figures only, never
 * person data.
 */
export type RunOutcome =
  /** Sealed and received by the ARS (receipt stored). */
  | 'submitted'
  /** Sealed and queued; delivery is still being retried. */
  | 'pending'
  /** Sealed, and the ARS refused it or the deadline passed: needs a human. */
  | 'failed'
  /** Sealed; no ARS endpoint is configured (figures kept for an upload). */
  | 'sealed'
  /** Stopped by a signal before it was sealed: nothing half-written. */
  | 'aborted'
  /** Could not compute or seal (source down, bad data everywhere…): needs a human. */
  | 'error'
  /** In progress, or the process died during it. */
  | 'running';

export interface RunFigures {
  finess: string;
  rates: Record<string, { numerator: number; denominator: number; rate: number | null; met: boolean }>;
  vaReady: boolean;
}

export interface RunRecord {
  runId: string;
  trigger: 'manual' | 'schedule' | 'catch-up' | 'resume';
  measureDate: string;
  startedAt: string;
  finishedAt: string | null;
  durationMs: number | null;
  outcome: RunOutcome;
  pid: number;
  submissionId: string | null;
  recordsRead: number | null;
  dataQuality: { errors: number; warnings: number } | null;
  figures: RunFigures[];
  /** Configured ESSMS for which nothing was computed (a human should look). */
  missingEstablishments: string[];
  error: { code: string; message: string } | null;
  /**
   * `already-submitted`: the outcome is `submitted` because the ARS had already received these very figures
   * (the outbox holds their receipt); this run sent nothing. Absent otherwise.
   */
  detail?: RunDetail;
}

/**
 * The outcome as people are told it (run-once's output, status, the log): a `failed` run whose submission
 * was given up at its retry deadline is `overdue`, since the ARS refused nothing (follow-up F9).
 */
export function outcomeShown(record: Pick<RunRecord, 'outcome' | 'error'>): RunOutcome | 'overdue' {
  return record.outcome === 'failed' && record.error?.code === 'submission-deadline'
    ? 'overdue'
    : record.outcome;
}

export type RunDetail = 'already-submitted';

const RUNS_DIR = 'runs';

export function runsDirectory(dataDir: string): string {
  return join(dataDir, RUNS_DIR);
}

export async function writeRunRecord(dataDir: string, record: RunRecord): Promise<void> {
  const dir = runsDirectory(dataDir);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await writeFileDurably(join(dir, `${record.runId}.json`), `${JSON.stringify(record, null, 2)}\n`, {
    mode: 0o600,
  });
}

/** Runs, most recent first. A run left `running` by a dead process is reported as such, never hidden. */
export async function listRunRecords(dataDir: string, limit = 20): Promise<RunRecord[]> {
  const dir = runsDirectory(dataDir);
  let names: string[];
  try {
    names = (await readdir(dir)).filter((n) => n.endsWith('.json'));
  } catch {
    return [];
  }
  const records: RunRecord[] = [];
  for (const name of names) {
    try {
      records.push(JSON.parse(await readFile(join(dir, name), 'utf8')) as RunRecord);
    } catch {
      // A record cut short by a crash: the outbox and the evidence journal still tell the truth.
    }
  }
  return records
    .sort((a, b) => (a.startedAt < b.startedAt ? 1 : a.startedAt > b.startedAt ? -1 : 0))
    .slice(0, limit);
}

/** Run ids sort by time: `20240401T050000Z-<random>`. */
export function newRunId(now: Date, random: string): string {
  return `${now
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z')}-${random}`;
}
