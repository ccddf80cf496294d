import { asString, field } from '../evidence/json-access.js';
import { readJournalEntries } from '../evidence/journal.js';
import type { JournalEntry } from '../evidence/journal.js';
import { readSealedRuns } from '../evidence/sealed-runs.js';
import type { RunVerification } from '../evidence/verified-run.js';
import { listRunRecords } from '../runner/run-records.js';
import { readOutboxSnapshot } from '../status/read-outbox.js';
import type { ReportInput, ReportRun, TransmissionState } from './report-model.js';

const HOUR_MS = 3_600_000;
/** Run records read to tell a run sealed without an ARS; bounds a pathological directory. */
const RUN_RECORDS_READ = 10_000;

/** What the report knows of the installation besides the evidence (from the config, when one is read). */
export interface InstallationFacts {
  /** The agent's data directory: its outbox and run records tell pending and overdue submissions. */
  dataDir: string;
  /** Whether an ARS collection endpoint is configured (`ars:`). */
  arsConfigured: boolean;
  /** `ars.retry.deadlineHours`: a pending submission older than this is late. */
  deadlineHours: number | null;
  /** The ESSMS the config lists (empty: every ESSMS of the data). */
  establishments: readonly string[];
}

/**
 * Reads the sealed runs of a store (their results, and what became of each submission) into the report's
 * input, with the verdict of `verifyStoreRun` on the run asked for. Runs whose results cannot be read are
 * left out of the figures; the verification's findings say why. With the installation's facts (from its config), a submission still pending past its
 * deadline, or never sent for want of an ARS, is told as such; without them (`--evidence-dir` on an
 * auditor's machine), the journal alone tells the story.
 */
export async function loadReportInput(
  storeDir: string,
  checked: RunVerification,
  options: { now?: () => Date; installation?: InstallationFacts } = {},
): Promise<ReportInput> {
  const now = (options.now ?? (() => new Date()))();
  const verification = checked.report;
  // The verdict is the run's: the whole chain holds AND the chosen run was recomputed and matched.
  const ok = checked.verdict === 'verified' || (checked.verdict === 'no-such-run' && verification.ok);
  const findings = verification.findings.map((f) => ({ seq: f.seq, check: f.check, severity: f.severity }));
  if (!ok && !verification.nothingSealed && !findings.some((f) => f.severity === 'error')) {
    // Every check held, yet the run was not recomputed: said as a recomputation problem, never as "0 problems".
    findings.unshift({ seq: checked.run?.entry.seq ?? null, check: 'recompute', severity: 'error' });
  }
  const entries = await readJournalEntries(storeDir);
  const outcomes = journalOutcomes(entries);
  const installation = options.installation;
  const pendingCreatedAt = new Map<string, string>();
  const sealedWithoutArs = new Set<string>();
  if (installation !== undefined) {
    const outbox = await readOutboxSnapshot(installation.dataDir);
    for (const item of outbox.pending) pendingCreatedAt.set(item.id, item.createdAt);
    for (const record of await listRunRecords(installation.dataDir, RUN_RECORDS_READ)) {
      if (record.outcome === 'sealed') sealedWithoutArs.add(record.runId);
    }
  }
  const runs: ReportRun[] = [];
  for (const { entry, results, submissionDigest } of await readSealedRuns(storeDir, entries)) {
    const p = entry.payload;
    const runId = asString(p['runId']);
    const submissionId = asString(p['submissionId']);
    const digest = (name: string): string => asString(field(p[name], 'digest'));
    let transmission = outcomes.get(submissionId);
    if (transmission === undefined) {
      const createdAt = pendingCreatedAt.get(submissionId);
      if (createdAt === undefined && (sealedWithoutArs.has(runId) || installation?.arsConfigured === false)) {
        transmission = { kind: 'not-configured' };
      } else {
        const deadlineHours = installation?.deadlineHours ?? null;
        transmission = {
          kind: 'pending',
          resent: false,
          pastDeadline:
            createdAt !== undefined &&
            deadlineHours !== null &&
            Date.parse(createdAt) + deadlineHours * HOUR_MS < now.getTime(),
        };
      }
    }
    runs.push({
      seq: entry.seq,
      runId,
      sealedAt: entry.time,
      measureDate: asString(p['measureDate'], results.measureDate),
      softwareVersion: asString(p['softwareVersion']),
      entryHash: entry.hash,
      digests: {
        projection: digest('projection'),
        results: digest('results'),
        subjects: digest('subjects'),
        // Since the evidence seal, the submission bytes are sealed by the entry after the run's.
        submission: submissionDigest ?? '',
      },
      results,
      submissionId,
      transmission,
    });
  }
  return {
    generatedAt: now.toISOString(),
    runs,
    configuredScope:
      installation === undefined || installation.establishments.length === 0
        ? null
        : [...installation.establishments].sort(),
    verification: {
      ok,
      nothingSealed: verification.nothingSealed,
      errors: findings.filter((f) => f.severity === 'error').length,
      warnings: verification.summary.warnings,
      findings,
      keyFingerprint: verification.summary.keyFingerprint,
      entries: verification.summary.entries,
      lastSeq: verification.summary.lastSeq,
      lastHash: verification.summary.lastHash,
      runsRecomputed: verification.summary.runsRecomputed,
    },
  };
}

/**
 * The last word of the journal on each submission (by submission id: runs that sealed the same figures
 * share one submission and its fate). A receipt settles it; a failure after a re-queue, or a re-queue
 * after a failure, is the newer state.
 */
function journalOutcomes(entries: readonly JournalEntry[]): Map<string, TransmissionState> {
  const outcomes = new Map<string, TransmissionState>();
  for (const entry of entries) {
    const submissionId = entry.payload['submissionId'];
    if (typeof submissionId !== 'string') continue;
    if (outcomes.get(submissionId)?.kind === 'received') continue;
    const httpStatus = entry.payload['httpStatus'];
    if (entry.type === 'submission-receipt') {
      outcomes.set(submissionId, { kind: 'received', at: entry.time });
    } else if (entry.type === 'submission-failed') {
      const status = typeof httpStatus === 'number' ? httpStatus : null;
      outcomes.set(
        submissionId,
        entry.payload['code'] === 'submission-deadline'
          ? { kind: 'overdue', at: entry.time, httpStatus: status }
          : { kind: 'refused', at: entry.time, httpStatus: status },
      );
    } else if (entry.type === 'submission-requeued') {
      // Sent again after its cause was fixed (`esms resend`): waiting for the receipt again.
      outcomes.set(submissionId, { kind: 'pending', pastDeadline: false, resent: true });
    }
  }
  return outcomes;
}
