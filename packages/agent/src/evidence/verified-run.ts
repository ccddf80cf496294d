/**
 * The verification API the figures leaving the machine go through (`esms export`, `esms report`): "verify
 * this store for this run, and tell me the verdict and the findings". The whole chain is checked (every
 * digest, link, signature, seal, key rotation), and the chosen run recomputed from its projection; only
 * a run that verifies is handed out.
 */
import { readJournalEntries } from './journal.js';
import { readSealedRuns, type SealedRun } from './sealed-runs.js';
import type { VerificationFinding, VerificationReport } from './verification-report.js';
import type { VerifyOptions } from './verify-options.js';
import { verifyEvidence } from './verify.js';

/** Which run: the last sealed (default), the last sealed for a measurement date, or the one at `seq`. */
export interface RunSelection {
  measureDate?: string | undefined;
  seq?: number | undefined;
}

export type RunVerdict =
  /** Every check held and the run's figures were recomputed from its projection and matched. */
  | 'verified'
  /** At least one check failed (`problem` names the first): nothing of it may be exported or signed. */
  | 'not-verified'
  /** No run is sealed in this store yet (not tampering; nothing to export or sign). */
  | 'nothing-sealed'
  /** Runs are sealed, none matches the selection. */
  | 'no-such-run';

export interface RunVerification {
  verdict: RunVerdict;
  /** The run chosen (its results as sealed, its submission, its seal), or `null`. */
  run: SealedRun | null;
  /** The first error, worded for a person (`entry seq 4 (run …): taux-dmp numerator …`), when not verified. */
  problem: string | null;
  /** Every finding, errors first. */
  findings: VerificationFinding[];
  /** The whole verification report (summary: entries, last hash, keys, timestamps…). */
  report: VerificationReport;
}

/**
 * Verifies the store at `storeDir` for one run. Never throws on bad evidence: a store that does not
 * verify is a verdict with findings. (I/O errors on the store directory itself become findings too.)
 */
export async function verifyStoreRun(
  storeDir: string,
  selection: RunSelection = {},
  options: Omit<VerifyOptions, 'recomputeRuns'> = {},
): Promise<RunVerification> {
  let runs: SealedRun[] = [];
  try {
    runs = await readSealedRuns(storeDir, await readJournalEntries(storeDir));
  } catch {
    runs = [];
  }
  const chosen =
    runs
      .filter(
        (r) =>
          (selection.measureDate === undefined || r.results.measureDate === selection.measureDate) &&
          (selection.seq === undefined || r.entry.seq === selection.seq),
      )
      .at(-1) ?? null;
  const report = await verifyEvidence(storeDir, {
    ...options,
    recomputeRuns: (entry) => chosen !== null && entry.seq === chosen.entry.seq,
  });
  const severity = { error: 0, warning: 1, info: 2 } as const;
  const findings = [...report.findings].sort((a, b) => severity[a.severity] - severity[b.severity]);
  const firstError = findings.find((f) => f.severity === 'error') ?? null;
  if (report.nothingSealed) return { verdict: 'nothing-sealed', run: null, problem: null, findings, report };
  if (chosen === null) {
    return {
      verdict: firstError === null ? 'no-such-run' : 'not-verified',
      run: null,
      problem: firstError?.message ?? null,
      findings,
      report,
    };
  }
  const checked = report.runs.find((r) => r.seq === chosen.entry.seq);
  const ok = report.ok && checked?.ok === true && checked.recomputed;
  return {
    verdict: ok ? 'verified' : 'not-verified',
    run: chosen,
    problem: ok ? null : (firstError?.message ?? 'the run was not recomputed from its projection'),
    findings,
    report,
  };
}
