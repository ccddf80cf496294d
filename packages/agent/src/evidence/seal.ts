import { canonicalJson } from './canonical-json.js';
import type { BlobInfo } from './blobs.js';
import type { JournalEntry } from './journal.js';
import { writeProjection } from './projection-writer.js';
import type { ProjectionBlob } from './projection-writer.js';
import type { ComputeOptions, Fact } from './recompute.js';
import type { EstablishmentScope } from '../scope/establishment-scope.js';
import type { EvidenceStore } from './store.js';

export interface SealRunInput {
  runId: string;
  /** The submission id (also the `Idempotency-Key`) the sealed bytes will be sent under. */
  submissionId: string;
  softwareVersion: string;
  configDigest: string;
  /** Digest of the measure definitions the rules used (`measuresDigest()`), or `null` if unknown. */
  measuresDigest: string | null;
  /** The exact options of the computation: verification recomputes with these. */
  computeOptions: ComputeOptions;
  /** D, the measurement date (`YYYY-MM-DD`). */
  measureDate: string;
  /** P per ESSMS (FINESS → local dates, inclusive). */
  periods: Record<string, { start: string; end: string }>;
  /**
   * The ESSMS the results, subject lists and submission were narrowed to (`applyScope`), or `null` for
   * every ESSMS of the data: verification narrows its recomputation the same way.
   */
  scope: EstablishmentScope;
  /**
   * The pseudonymised projection: either already streamed with `createProjectionWriter` (pass what its
   * `finish()` returned), or the facts themselves, streamed to a blob here.
   */
  projection: ProjectionBlob | Iterable<Fact> | AsyncIterable<Fact>;
  /** The results document (stored as canonical JSON). */
  results: unknown;
  /** The pseudonymised subject lists (stored as canonical JSON). */
  subjects: unknown;
}

/**
 * The evidence seal a submission carries (contract.md §5): the hash of the `run-sealed` entry of its run
 * and the hash of the entry before it (that entry's `prevHash`), so the ARS keeps the chain's head.
 */
export interface EvidenceSeal {
  /** Lower-case hex SHA-256 of the `run-sealed` entry (its `hash`). */
  hash: string;
  /** Its `prevHash`: the chain's head before the run was sealed. */
  previous: string;
  seq: number;
}

/** The exact bytes of a submission, built once the run's seal is known. */
export interface SealedSubmissionBody {
  body: Uint8Array | string;
  /** Default `application/fhir+json`. */
  mediaType?: string;
}

/**
 * Payload of a `run-sealed` entry. Runs sealed before the evidence seal (esms 0.1) also held `submission`
 * here; since then the submission bytes, which carry this entry's hash, are sealed by the next entry.
 */
export interface RunSealedPayload {
  runId: string;
  submissionId: string;
  softwareVersion: string;
  configDigest: string;
  measuresDigest: string | null;
  measureDate: string;
  computeOptions: ComputeOptions;
  periods: Record<string, { start: string; end: string }>;
  /** Absent from runs sealed before the scope was sealed (their results hold every ESSMS of the data). */
  scope: { establishments: string[] } | null;
  projection: ProjectionBlob;
  results: BlobInfo;
  subjects: BlobInfo;
}

/**
 * Payload of a `submission-sealed` entry: the exact bytes that will be sent, appended right after the
 * `run-sealed` entry whose hash they carry, and before anything is sent.
 */
export interface SubmissionSealedPayload {
  runId: string;
  submissionId: string;
  runEntry: { seq: number; hash: string };
  /** The seal the bytes carry (`runEntry.hash` and the `prevHash` of that entry). */
  seal: { hash: string; previous: string };
  submission: BlobInfo & { mediaType: string };
}

export interface SubmissionReceiptPayload {
  runId: string;
  submissionId: string;
  /** The `run-sealed` entry this receipt answers, when found. */
  runEntry: { seq: number; hash: string } | null;
  receipt: BlobInfo;
  httpStatus?: number;
}

export interface SubmissionFailedPayload {
  runId: string;
  submissionId: string;
  runEntry: { seq: number; hash: string } | null;
  /** The agent's error code (e.g. `submission-permanent`). */
  code: string;
  message: string;
  httpStatus?: number;
  /** The response body of the failed submission, when there was one. */
  response?: BlobInfo;
}

/**
 * Seals a run, BEFORE its submission is built and sent: writes the projection, results and subject lists
 * as blobs, then one signed `run-sealed` entry that references them. Its hash is the evidence seal the
 * submission will carry (`sealSubmission` seals those bytes next).
 */
export async function sealRun(store: EvidenceStore, input: SealRunInput): Promise<JournalEntry> {
  const projection = isProjectionBlob(input.projection)
    ? input.projection
    : await writeProjection(store, input.projection);
  const results = await store.putBlob(canonicalJson(input.results));
  const subjects = await store.putBlob(canonicalJson(input.subjects));
  const payload: RunSealedPayload = {
    runId: input.runId,
    submissionId: input.submissionId,
    softwareVersion: input.softwareVersion,
    configDigest: input.configDigest,
    measuresDigest: input.measuresDigest,
    measureDate: input.measureDate,
    computeOptions: input.computeOptions,
    periods: input.periods,
    scope: input.scope === null ? null : { establishments: [...input.scope] },
    projection: {
      digest: projection.digest,
      bytes: projection.bytes,
      count: projection.count,
      ...(projection.encoding === undefined ? {} : { encoding: projection.encoding }),
    },
    results,
    subjects,
  };
  return store.append({ type: 'run-sealed', payload: { ...payload } });
}

/** The seal of a `run-sealed` entry, as its submission carries it. */
export function sealOf(runEntry: JournalEntry): EvidenceSeal {
  return { hash: runEntry.hash, previous: runEntry.prevHash, seq: runEntry.seq };
}

/** Seals the exact submission bytes of a sealed run (they carry its seal), still before any send. */
export async function sealSubmission(
  store: EvidenceStore,
  runEntry: JournalEntry,
  submission: SealedSubmissionBody,
): Promise<JournalEntry> {
  const blob = await store.putBlob(submission.body);
  const payload: SubmissionSealedPayload = {
    runId: String(runEntry.payload['runId']),
    submissionId: String(runEntry.payload['submissionId']),
    runEntry: { seq: runEntry.seq, hash: runEntry.hash },
    seal: { hash: runEntry.hash, previous: runEntry.prevHash },
    submission: { ...blob, mediaType: submission.mediaType ?? 'application/fhir+json' },
  };
  return store.append({ type: 'submission-sealed', payload: { ...payload } });
}

/**
 * Both steps, as the runner takes them: the run, then the bytes `build` makes with the run's seal.
 * Nothing is sent before both entries are in the journal.
 */
export async function sealRunAndSubmission(
  store: EvidenceStore,
  input: SealRunInput,
  build: (seal: EvidenceSeal) => SealedSubmissionBody,
): Promise<{ runEntry: JournalEntry; submissionEntry: JournalEntry; body: Uint8Array | string }> {
  const runEntry = await sealRun(store, input);
  const built = build(sealOf(runEntry));
  const submissionEntry = await sealSubmission(store, runEntry, built);
  return { runEntry, submissionEntry, body: built.body };
}

/** Records the receipt (the receiver's 2xx response) of a sealed run's submission. */
export async function recordReceipt(
  store: EvidenceStore,
  input: { runId: string; submissionId: string; receipt: unknown; httpStatus?: number },
): Promise<JournalEntry> {
  const receipt = await store.putBlob(asBytes(input.receipt));
  const payload: SubmissionReceiptPayload = {
    runId: input.runId,
    submissionId: input.submissionId,
    runEntry: await findRunEntry(store, input.runId),
    receipt,
    ...(input.httpStatus === undefined ? {} : { httpStatus: input.httpStatus }),
  };
  return store.append({ type: 'submission-receipt', payload: { ...payload } });
}

/**
 * Records the final failure of a sealed run's submission (a permanent 4xx, or retries given up). The
 * message must carry no person data (the agent's error messages never do).
 */
export async function recordFailure(
  store: EvidenceStore,
  input: {
    runId: string;
    submissionId: string;
    code: string;
    message: string;
    httpStatus?: number;
    responseBody?: unknown;
  },
): Promise<JournalEntry> {
  const response =
    input.responseBody === undefined ? undefined : await store.putBlob(asBytes(input.responseBody));
  const payload: SubmissionFailedPayload = {
    runId: input.runId,
    submissionId: input.submissionId,
    runEntry: await findRunEntry(store, input.runId),
    code: input.code,
    message: input.message,
    ...(input.httpStatus === undefined ? {} : { httpStatus: input.httpStatus }),
    ...(response === undefined ? {} : { response }),
  };
  return store.append({ type: 'submission-failed', payload: { ...payload } });
}

/** Payload of a `submission-requeued` entry: a person decided to send a kept failure again. */
export interface SubmissionRequeuedPayload {
  runId: string;
  submissionId: string;
  runEntry: { seq: number; hash: string } | null;
  /** The last `submission-failed` entry of this submission, when the journal has one. */
  failureEntry: { seq: number; hash: string } | null;
  /** The failure being set aside, as the outbox kept it (no person data). */
  previousFailure: { code: string; reason: string; httpStatus?: number; at: string };
}

/**
 * Records that a kept failure (a refusal, or retries given up at the deadline) is queued again, BEFORE the
 * outbox puts it back in `pending/`: the journal says who decided what before anything is re-sent. The
 * same submission id and bytes are sent again, so the ARS still keeps one copy.
 */
export async function recordRequeue(
  store: EvidenceStore,
  input: {
    runId: string;
    submissionId: string;
    previousFailure: SubmissionRequeuedPayload['previousFailure'];
  },
): Promise<JournalEntry> {
  const entries = await store.entries();
  const failed = entries.findLast(
    (e) => e.type === 'submission-failed' && e.payload['submissionId'] === input.submissionId,
  );
  const payload: SubmissionRequeuedPayload = {
    runId: input.runId,
    submissionId: input.submissionId,
    runEntry: await findRunEntry(store, input.runId),
    failureEntry: failed === undefined ? null : { seq: failed.seq, hash: failed.hash },
    previousFailure: input.previousFailure,
  };
  return store.append({ type: 'submission-requeued', payload: { ...payload } });
}

function isProjectionBlob(value: SealRunInput['projection']): value is ProjectionBlob {
  return (
    typeof value === 'object' &&
    value !== null &&
    !(Symbol.iterator in value) &&
    !(Symbol.asyncIterator in value) &&
    typeof (value as { digest?: unknown }).digest === 'string'
  );
}

function asBytes(value: unknown): Uint8Array | string {
  if (typeof value === 'string' || value instanceof Uint8Array) return value;
  return canonicalJson(value);
}

async function findRunEntry(
  store: EvidenceStore,
  runId: string,
): Promise<{ seq: number; hash: string } | null> {
  const entries = await store.entries();
  for (let index = entries.length - 1; index >= 0; index -= 1) {
    const entry = entries[index];
    if (entry?.type === 'run-sealed' && entry.payload['runId'] === runId)
      return { seq: entry.seq, hash: entry.hash };
  }
  return null;
}
