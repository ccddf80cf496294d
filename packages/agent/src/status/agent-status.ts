import type { RunOutcome, RunRecord } from '../runner/run-records.js';
import type { LastSealCheck } from './check-last-seal.js';

/**
 * What `esms status --format json` prints. Figures and ids only: never person data. Fields may be added,
 * never renamed (scripts and monitoring read it).
 */
export interface AgentStatus {
  /** When the status was taken (ISO instant). */
  generatedAt: string;
  configPath: string;
  dataDir: string;
  /**
   * The schedule's zone (`schedule.timezone`): the text output shows times there; the JSON keeps ISO
   * instants in UTC, as before, and gives `local` renderings beside the ones a person reads.
   */
  timezone: string;
  /** Most recent first. */
  runs: RunSummary[];
  submissions: {
    delivered: number;
    pending: PendingSubmission[];
    failed: FailedSubmission[];
    corrupt: Array<{ file: string; reason: string }>;
  };
  /** Configured ESSMS absent from the last run that computed figures. */
  missingEstablishments: string[];
  nextRun: { at: string; local: string; cron: string; timezone: string } | null;
  /** The last run that ended `submitted` or `sealed` (any age), or `null`. */
  lastSuccessfulRun: { runId: string; measureDate: string; finishedAt: string | null } | null;
  /**
   * The figures of the last run that computed any (`null` before the first): per configured ESSMS, its
   * VA readiness and rates, or `computed: false` when that run had nothing for it. Aggregates only.
   */
  lastFigures: {
    runId: string;
    measureDate: string;
    establishments: Array<{
      finess: string;
      computed: boolean;
      vaReady: boolean | null;
      rates: Record<string, { numerator: number; denominator: number; rate: number | null; met: boolean }>;
    }>;
  } | null;
  evidence: {
    lastEntry: { seq: number; type: string; time: string; hashPrefix: string } | null;
    /** The last sealed run, checked cheaply (`checkLastSeal`); `null` when nothing is sealed yet. */
    lastRun: LastSealCheck | null;
    /** Complete journal lines that cannot be read as entries (damage a person must look at). */
    unreadableLines: number[];
  };
  /** Everything that needs a human; `esms status` exits 1 when this is not empty. */
  problems: StatusProblem[];
}

/**
 * A run outcome as status shows it: a run left `running` by a dead process is `interrupted`; a `failed`
 * run whose submission was given up at its retry deadline is `overdue` (the ARS refused nothing).
 */
export type ShownOutcome = RunOutcome | 'interrupted' | 'overdue';

export interface RunSummary {
  runId: string;
  trigger: RunRecord['trigger'];
  measureDate: string;
  startedAt: string;
  finishedAt: string | null;
  outcome: ShownOutcome;
  durationMs: number | null;
  submissionId: string | null;
  /** Per ESSMS: `numerator/denominator` of each rate indicator. */
  figures: Array<{ finess: string; vaReady: boolean; rates: Record<string, string> }>;
  missingEstablishments: string[];
  error: { code: string; message: string } | null;
}

export interface PendingSubmission {
  id: string;
  measureDate: string;
  createdAt: string;
  attempts: number;
  lastError: string | null;
  lastStatus: number | null;
  nextAttemptAt: string | null;
  /** After this instant the submission is past its retry deadline (needs a human). */
  deadline: string | null;
}

export interface FailedSubmission {
  id: string;
  /**
   * `refused`: the ARS answered a permanent 4xx; `overdue`: transient failures until the retry deadline
   * (the ARS down or unreachable). Either is sent again by `esms resend` once its cause is fixed.
   */
  kind: 'refused' | 'overdue';
  measureDate: string;
  attempts: number;
  code: string;
  reason: string;
  status: number | null;
  at: string | null;
  /** A later submission for the same measure date was delivered: kept, shown, no longer a problem. */
  superseded: boolean;
}

export type StatusProblemCode =
  /** Refused by the ARS (permanent 4xx). */
  | 'submission-failed'
  /** Given up at its retry deadline (transient failures all along). */
  | 'submission-overdue'
  | 'outbox-corrupt'
  | 'run-interrupted'
  | 'last-run-error'
  | 'establishment-missing'
  | 'submission-past-deadline'
  /** The last sealed run would not verify (see `checkLastSeal`). */
  | 'evidence-inconsistent'
  /** A complete line of the evidence journal is not a readable entry. */
  | 'evidence-journal-damaged';

export interface StatusProblem {
  code: StatusProblemCode;
  message: string;
}
