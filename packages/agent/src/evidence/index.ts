/**
 * The evidence store (contract.md §5): what the runner seals, what `esms verify` checks, what
 * `esms export-evidence` bundles. Everything not listed here is internal to `evidence/`.
 */
export { initEvidenceKeys, loadEvidenceKeys, publicKeyFingerprint } from './keys.js';
export type { EvidenceKeys, InitEvidenceKeysResult } from './keys.js';
export { openEvidenceStore } from './store.js';
export type { EvidenceStore, FileEvidenceStore, OpenEvidenceStoreOptions } from './store.js';
export { createPseudonymiser } from './pseudonymiser.js';
export { createProjectionWriter, writeProjection } from './projection-writer.js';
export type { ProjectionBlob, ProjectionWriter } from './projection-writer.js';
export {
  recordFailure,
  recordReceipt,
  recordRequeue,
  sealOf,
  sealRun,
  sealRunAndSubmission,
  sealSubmission,
} from './seal.js';
export type {
  EvidenceSeal,
  RunSealedPayload,
  SealedSubmissionBody,
  SubmissionSealedPayload,
  SealRunInput,
  SubmissionFailedPayload,
  SubmissionReceiptPayload,
  SubmissionRequeuedPayload,
} from './seal.js';
export { pseudonymiseSubjectLists } from './subject-lists.js';
export { measuresDigest, sdkProjectionApi, sdkRules } from './recompute.js';
export type { ComputeOptions, EvidenceRules, Fact } from './recompute.js';
export { verifyEvidence } from './verify.js';
export type {
  JournalKey,
  VerificationCheck,
  VerificationFinding,
  VerificationReport,
  VerifiedRun,
  VerifyOptions,
} from './verify.js';
/** The verification API of what leaves the machine (`esms export`, `esms report`). */
export { verifyStoreRun } from './verified-run.js';
export type { RunSelection, RunVerdict, RunVerification } from './verified-run.js';
export { readSealedRuns } from './sealed-runs.js';
export type { SealedRun } from './sealed-runs.js';
export { EVIDENCE_SEAL_PREVIOUS_URL, EVIDENCE_SEAL_URL, evidenceSealExtensions } from './evidence-seal.js';
export { pseudonymiseFindings } from './pseudonymise-findings.js';
export { rotateEvidenceKey } from './rotate-key.js';
export type { RotateKeyResult } from './rotate-key.js';
export { timestampingFromConfig } from './timestamping.js';
export type { Timestamping } from './timestamping.js';
export { formatVerificationText } from './verification-text.js';
export { exportEvidence } from './export.js';
export type { ExportEvidenceResult } from './export.js';
export { entriesBeyondRetention } from './retention.js';
export { EVIDENCE_SUBDIR, evidenceDirOf, resolveEvidenceDir } from './evidence-dir.js';
export { readJournalEntries } from './journal.js';
export type { JournalEntry, JournalEntryType } from './journal.js';
export { digestJson } from './canonical-json.js';
export type { Digest } from './canonical-json.js';
export {
  EvidenceInvalidError,
  EvidenceIoError,
  isEvidenceInvalidError,
  isEvidenceIoError,
} from './errors.js';
