import type { VerificationFinding, VerificationReport, VerifiedRun } from './verification-report.js';

/** What the verifier learnt of a store beside its findings and runs: the rest of the report's summary. */
export type StoreFacts = Pick<
  VerificationReport['summary'],
  | 'entries'
  | 'blobs'
  | 'lastSeq'
  | 'lastHash'
  | 'keyFingerprint'
  | 'expectedKeyFingerprint'
  | 'keys'
  | 'expectedHead'
  | 'timestamps'
  | 'manifest'
>;

export const NO_FACTS: StoreFacts = {
  entries: 0,
  blobs: 0,
  lastSeq: null,
  lastHash: null,
  keyFingerprint: null,
  expectedKeyFingerprint: null,
  keys: [],
  expectedHead: null,
  timestamps: { tokens: 0, verified: 0, entriesWithout: 0 },
  manifest: 'absent',
};

/** The report of one verification: ok when no finding is an error and something was sealed. */
export function buildReport(
  path: string,
  kind: 'store' | 'bundle',
  findings: VerificationFinding[],
  runs: VerifiedRun[],
  nothingSealed: boolean,
  facts: StoreFacts,
): VerificationReport {
  const errors = findings.filter((f) => f.severity === 'error').length;
  return {
    ok: errors === 0 && !nothingSealed,
    nothingSealed,
    path,
    kind,
    summary: {
      entries: facts.entries,
      runs: runs.length,
      runsRecomputed: runs.filter((run) => run.recomputed).length,
      blobs: facts.blobs,
      lastSeq: facts.lastSeq,
      lastHash: facts.lastHash,
      keyFingerprint: facts.keyFingerprint,
      expectedKeyFingerprint: facts.expectedKeyFingerprint,
      keys: facts.keys,
      expectedHead: facts.expectedHead,
      timestamps: facts.timestamps,
      manifest: facts.manifest,
      errors,
      warnings: findings.filter((f) => f.severity === 'warning').length,
    },
    runs,
    findings,
  };
}
