import { isDigest } from './canonical-json.js';
import { field } from './json-access.js';
import type { JournalEntry } from './journal.js';
import { sealedSubmissionOf } from './evidence-seal.js';
import {
  declaredBytes,
  verifySubmissionBytes,
  type AddFinding,
  type RecomputedRun,
  type RunCheckContext,
} from './verify-run.js';
import { isRecord } from '../shared/is-record.js';

/**
 * A `submission-sealed` entry: it names the `run-sealed` entry just before it, its bytes carry that entry's
 * hash and prevHash, and its MeasureReports hold the figures recomputed for that run.
 */
export async function checkSealedSubmission(
  ctx: RunCheckContext,
  entry: JournalEntry,
  sealedRuns: ReadonlyMap<string, JournalEntry>,
  recomputed: ReadonlyMap<string, RecomputedRun>,
  entries: readonly JournalEntry[],
): Promise<void> {
  const { add } = ctx;
  const reference = entry.payload['runEntry'];
  const runHash = field(reference, 'hash');
  const run = typeof runHash === 'string' ? sealedRuns.get(runHash) : undefined;
  const prefix = `entry seq ${entry.seq}`;
  if (run === undefined || field(reference, 'seq') !== run.seq) {
    add(
      entry.seq,
      'evidence-seal',
      'error',
      `${prefix}: the sealed submission names no run-sealed entry before it`,
    );
    return;
  }
  const before = entries.at(-2);
  if (before?.hash !== run.hash) {
    add(
      entry.seq,
      'evidence-seal',
      'error',
      `${prefix}: the sealed submission of run-sealed entry seq ${run.seq} does not come right after it`,
    );
  }
  if (
    entry.payload['submissionId'] !== run.payload['submissionId'] ||
    entry.payload['runId'] !== run.payload['runId']
  ) {
    add(
      entry.seq,
      'evidence-seal',
      'error',
      `${prefix}: names another run or submission id than entry seq ${run.seq}`,
    );
  }
  const seal = entry.payload['seal'];
  if (field(seal, 'hash') !== run.hash || field(seal, 'previous') !== run.prevHash) {
    add(
      entry.seq,
      'evidence-seal',
      'error',
      `${prefix}: the seal it records is not that of entry seq ${run.seq}`,
    );
  }
  const digest = field(entry.payload['submission'], 'digest');
  const checked = recomputed.get(run.hash);
  if (!isDigest(digest)) {
    add(entry.seq, 'entry-format', 'error', `${prefix}: the sealed submission has no digest`);
    return;
  }
  if (checked === undefined) return; // that run is not recomputed (esms export checks one run)
  const errors = await verifySubmissionBytes(ctx, {
    seq: entry.seq,
    prefix: `${prefix} (submission of run ${String(run.payload['runId'])})`,
    digest,
    maxBytes: declaredBytes(entry.payload['submission']),
    recomputed: checked,
    softwareVersion: run.payload['softwareVersion'],
    seal: { hash: run.hash, previous: run.prevHash },
  });
  if (errors > 0) checked.run.ok = false;
}

/** A receipt, failure or resend record must name the run it is about. */
export function checkRunReference(
  entry: JournalEntry,
  runs: Map<string, JournalEntry>,
  add: RunCheckContext['add'],
): void {
  const runId = entry.payload['runId'];
  const what =
    entry.type === 'submission-receipt'
      ? 'receipt'
      : entry.type === 'submission-requeued'
        ? 'resend record'
        : 'failure record';
  if (typeof runId !== 'string') {
    add(entry.seq, 'receipt', 'error', `entry seq ${entry.seq}: ${what} names no run`);
    return;
  }
  const sealed = runs.get(runId);
  if (sealed === undefined) {
    add(
      entry.seq,
      'receipt',
      'error',
      `entry seq ${entry.seq}: ${what} for run ${runId}, which was never sealed before it`,
    );
    return;
  }
  const reference = entry.payload['runEntry'];
  if (isRecord(reference) && (reference['hash'] !== sealed.hash || reference['seq'] !== sealed.seq)) {
    add(
      entry.seq,
      'receipt',
      'error',
      `entry seq ${entry.seq}: ${what} for run ${runId} points to another sealed entry than seq ${sealed.seq}`,
    );
  }
  if (entry.payload['submissionId'] !== sealed.payload['submissionId']) {
    add(
      entry.seq,
      'receipt',
      'error',
      `entry seq ${entry.seq}: ${what} for run ${runId} names another submission id than the sealed one`,
    );
  }
}

/**
 * A resend sets aside a kept failure: the failure it names (when it names one) must be an earlier
 * `submission-failed` entry of the same submission. A resend may name none: the outbox can hold a failure
 * whose journal entry a crash prevented (the failure is in the outbox before it is in the journal).
 */
export function checkFailureReference(
  entry: JournalEntry,
  earlier: readonly JournalEntry[],
  add: RunCheckContext['add'],
): void {
  const reference = entry.payload['failureEntry'];
  const previous = entry.payload['previousFailure'];
  if (!isRecord(previous) || typeof previous['code'] !== 'string') {
    add(entry.seq, 'receipt', 'error', `entry seq ${entry.seq}: resend record names no previous failure`);
  }
  if (reference === null || reference === undefined) return;
  const failed = earlier.find(
    (e) => e.seq === field(reference, 'seq') && e.hash === field(reference, 'hash') && e.seq < entry.seq,
  );
  if (failed?.type !== 'submission-failed') {
    add(
      entry.seq,
      'receipt',
      'error',
      `entry seq ${entry.seq}: resend record points to no earlier failure record (seq ${String(field(reference, 'seq'))})`,
    );
  } else if (failed.payload['submissionId'] !== entry.payload['submissionId']) {
    add(
      entry.seq,
      'receipt',
      'error',
      `entry seq ${entry.seq}: resend record points to the failure of another submission (seq ${failed.seq})`,
    );
  }
}

/**
 * A `run-sealed` entry of the evidence seal with no `submission-sealed` entry naming it: nothing was sent
 * for that run (nothing is sent before its submission is sealed), because the run stopped between its two
 * entries, or because the journal was cut after it. Only a warning: a killed run leaves exactly this, and the
 * chain before it still proves what it says; `--expect-head` tells the two apart for an auditor given the
 * head. Runs sealed before the evidence seal carry their submission in the same entry.
 */
export function checkUnsealedSubmissions(entries: readonly JournalEntry[], add: AddFinding): void {
  for (const entry of entries) {
    if (entry.type !== 'run-sealed' || sealedSubmissionOf(entries, entry) !== undefined) continue;
    const runId = typeof entry.payload['runId'] === 'string' ? entry.payload['runId'] : '(no run id)';
    add(
      entry.seq,
      'evidence-seal',
      'warning',
      `entry seq ${entry.seq}: run ${runId} was sealed but its submission never was (no submission-sealed entry ` +
        'names it), so nothing was sent for it: the run stopped between its two entries, or the journal was ' +
        'cut after it (verify with --expect-head to tell)',
    );
  }
}
