import type { ResultsLike } from '../evidence/recompute.js';

/** What became of a sealed run's submission. */
export interface ReportSubmission {
  id: string;
  status: 'received' | 'failed' | 'pending';
  /** When the receipt or the final failure was recorded (ISO), else `null`. */
  at: string | null;
  /** The failure's message, or the receipt's digest. */
  detail: string | null;
}

/** One sealed run, as the report shows it. */
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
  submission: ReportSubmission;
}

export interface ReportVerification {
  ok: boolean;
  /** No entry in the store yet: the report says so, without the "do not sign" verdict. */
  nothingSealed: boolean;
  errors: number;
  warnings: number;
  /** Finding messages, errors first. */
  messages: { severity: 'error' | 'warning' | 'info'; text: string }[];
  keyFingerprint: string | null;
  entries: number;
  lastSeq: number | null;
  lastHash: string | null;
  runsRecomputed: number;
}

export interface ReportInput {
  /** ISO instant of the report (passed in: rendering reads no clock). */
  generatedAt: string;
  /** Sealed runs in journal order; the last one is reported in detail, all of them feed the trend. */
  runs: ReportRun[];
  verification: ReportVerification;
  /** Where the evidence was read from (shown in small print). */
  source: string;
}
