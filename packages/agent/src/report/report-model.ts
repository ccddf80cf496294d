import type { VerificationCheck } from '../evidence/verification-report.js';
import type { ResultsLike } from '../evidence/recompute.js';

/**
 * What became of a sealed run's submission, as the signatory must be told: received, refused by the ARS,
 * given up at its retry deadline (overdue), still being sent, or never to be sent (no ARS configured).
 */
export type TransmissionState =
  | { kind: 'received'; at: string | null }
  | { kind: 'refused'; at: string | null; httpStatus: number | null }
  | { kind: 'overdue'; at: string | null; httpStatus: number | null }
  | { kind: 'pending'; pastDeadline: boolean; resent: boolean }
  | { kind: 'not-configured' };

/** One sealed run, as the report reads it. */
export interface ReportRun {
  seq: number;
  runId: string;
  /** ISO instant the run was sealed. */
  sealedAt: string;
  measureDate: string;
  softwareVersion: string;
  entryHash: string;
  digests: { projection: string; results: string; subjects: string; submission: string };
  results: ResultsLike;
  submissionId: string;
  transmission: TransmissionState;
}

/** A verification finding, structured: the report says it in French from its check and entry. */
export interface ReportFinding {
  seq: number | null;
  check: VerificationCheck;
  severity: 'error' | 'warning' | 'info';
}

export interface ReportVerification {
  ok: boolean;
  /** No entry in the store yet: the report says so, without the "do not sign" verdict. */
  nothingSealed: boolean;
  errors: number;
  warnings: number;
  findings: ReportFinding[];
  keyFingerprint: string | null;
  entries: number;
  lastSeq: number | null;
  lastHash: string | null;
  runsRecomputed: number;
}

export interface ReportInput {
  /** ISO instant of the report (passed in: rendering reads no clock). */
  generatedAt: string;
  /** Sealed runs in journal order. */
  runs: ReportRun[];
  verification: ReportVerification;
  /** The ESSMS the config lists (`null`: no config read, or a config listing none: every ESSMS). */
  configuredScope: readonly string[] | null;
}
