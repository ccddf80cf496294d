import { asString, field } from '../evidence/json-access.js';
import { readJournalEntries } from '../evidence/journal.js';
import { readSealedRuns } from '../evidence/sealed-runs.js';
import type { VerificationReport } from '../evidence/verify.js';
import type { ReportInput, ReportRun, ReportSubmission } from './report-model.js';

/**
 * Reads the sealed runs of a store (their results blobs, and what became of each submission) into the
 * report's input. Runs whose results cannot be read are left out of the figures; verification, run
 * separately, says why.
 */
export async function loadReportInput(
  storeDir: string,
  verification: VerificationReport,
  options: { now?: () => Date } = {},
): Promise<ReportInput> {
  const entries = await readJournalEntries(storeDir);
  const outcomes = new Map<string, ReportSubmission>();
  for (const entry of entries) {
    const runId = entry.payload['runId'];
    if (typeof runId !== 'string') continue;
    const submissionId = asString(entry.payload['submissionId']);
    if (entry.type === 'submission-receipt') {
      outcomes.set(runId, {
        id: submissionId,
        status: 'received',
        at: entry.time,
        detail: asString(field(entry.payload['receipt'], 'digest')),
      });
    } else if (entry.type === 'submission-requeued' && outcomes.get(runId)?.status !== 'received') {
      // Sent again after its cause was fixed (`esms resend`): waiting for the receipt again.
      outcomes.set(runId, { id: submissionId, status: 'pending', at: null, detail: null });
    } else if (entry.type === 'submission-failed' && outcomes.get(runId)?.status !== 'received') {
      outcomes.set(runId, {
        id: submissionId,
        status: 'failed',
        at: entry.time,
        detail: asString(entry.payload['message']),
      });
    }
  }
  const runs: ReportRun[] = [];
  for (const { entry, results, submissionDigest } of await readSealedRuns(storeDir, entries)) {
    const p = entry.payload;
    const runId = asString(p['runId']);
    const digest = (name: string): string => asString(field(p[name], 'digest'));
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
      submission: outcomes.get(runId) ?? {
        id: asString(p['submissionId']),
        status: 'pending',
        at: null,
        detail: null,
      },
    });
  }
  const severityOrder = { error: 0, warning: 1, info: 2 } as const;
  return {
    generatedAt: (options.now ?? (() => new Date()))().toISOString(),
    runs,
    source: storeDir,
    verification: {
      ok: verification.ok,
      nothingSealed: verification.nothingSealed,
      errors: verification.summary.errors,
      warnings: verification.summary.warnings,
      messages: [...verification.findings]
        .sort((a, b) => severityOrder[a.severity] - severityOrder[b.severity])
        .map((f) => ({ severity: f.severity, text: f.message })),
      keyFingerprint: verification.summary.keyFingerprint,
      entries: verification.summary.entries,
      lastSeq: verification.summary.lastSeq,
      lastHash: verification.summary.lastHash,
      runsRecomputed: verification.summary.runsRecomputed,
    },
  };
}
