import { AgentError, UsageError } from '../errors.js';
import { recordRequeue } from '../evidence/seal.js';
import type { DeliveryOutcome } from '../submit/deliver.js';
import type { OutboxState } from '../submit/outbox.js';
import type { RunDependencies } from './run-dependencies.js';
import { acquireRunLock } from './run-lock.js';
import { deliver, deliveryWindow } from './run-once.js';
import { listRunRecords, writeRunRecord } from './run-records.js';

/** Shortest id prefix `esms resend` accepts (`esms status` prints 12 characters). */
export const MIN_SUBMISSION_ID_PREFIX = 8;
/** How many run records are searched for the run that queued the submission. */
const RUN_HISTORY = 1000;

export interface ResendOptions {
  signal?: AbortSignal | undefined;
  /** As `esms run-once --wait`: how long delivery may go on before the submission is left pending. */
  deliveryWaitMs?: number | undefined;
}

export interface ResendResult {
  id: string;
  /** Where the submission was found: only `failed` is sent again; the others need nothing. */
  found: OutboxState;
  /** How the send ended this time (`null` when nothing was sent). */
  outcome: DeliveryOutcome['state'] | null;
  /** The refusal or overdue reason when it failed again. */
  failure: { code: string; reason: string } | null;
}

/**
 * `esms resend`: sends a kept failure again (a refusal after its cause was fixed, or a submission given up
 * at its retry deadline), under the run lock, in this order so that a crash at any instant is safe:
 * 1. a `submission-requeued` entry in the evidence journal (who decided what, before anything is sent);
 * 2. the outbox moves it back to `pending/` (attempts and deadline start again; same id, same bytes);
 * 3. the record of the latest run that queued it says `pending` again (earlier ones keep their outcome);
 * 4. delivery, as a run does it: the receipt or the new failure goes to the journal.
 * Delivery stays exactly once: the same submission id (`Idempotency-Key`) and the same `ifNoneExist`
 * identifiers, so an ARS that already stored it keeps one copy.
 *
 * @throws UsageError when no kept submission has this id (or the prefix is ambiguous).
 */
export async function resendSubmission(
  deps: RunDependencies,
  idOrPrefix: string,
  options: ResendOptions = {},
): Promise<ResendResult> {
  const submitting = deps.submission;
  if (submitting === null) {
    throw new UsageError('no ARS is configured (ars: in the config): there is nothing to resend');
  }
  const lock = await acquireRunLock(deps.config.dataDir);
  try {
    const outbox = await submitting.outbox();
    const id = resolveId(idOrPrefix, await outbox.list());
    const entry = await outbox.get(id);
    if (entry === undefined) throw new UsageError(`no submission ${idOrPrefix} in the outbox`);
    if (entry.state !== 'failed') return { id, found: entry.state, outcome: null, failure: null };

    const failure = entry.item.failure;
    const runs = (await listRunRecords(deps.config.dataDir, RUN_HISTORY)).filter(
      (r) => r.submissionId === id,
    );
    const store = await deps.evidence();
    await recordRequeue(store, {
      // The most recent run that queued these bytes (the one a receipt will be recorded against).
      runId: runs[0]?.runId ?? 'unknown',
      submissionId: id,
      previousFailure: {
        code: failure?.code ?? 'unknown',
        reason: failure?.reason ?? entry.item.lastError ?? 'no reason recorded',
        ...(failure?.status === undefined ? {} : { httpStatus: failure.status }),
        at: failure?.at ?? entry.item.lastAttemptAt ?? entry.item.createdAt,
      },
    });
    await outbox.requeue(id);
    // Only the most recent run that queued these bytes (the one the receipt is recorded against) waits
    // again; earlier runs stay as they ended, refused at the time (follow-up F12): history is not rewritten.
    const latest = runs[0];
    if (latest?.outcome === 'failed') {
      latest.outcome = 'pending';
      latest.error = null;
      await writeRunRecord(deps.config.dataDir, latest);
    }
    deps.logger
      .child({ component: 'submitter' })
      .info(
        { submission: id.slice(0, 12), previous: failure?.code ?? 'unknown' },
        'submission queued again by esms resend',
      );

    // `--wait 0s`: queued again, sent by the daemon or the next run.
    if (options.deliveryWaitMs === 0) return { id, found: 'failed', outcome: 'pending', failure: null };
    const window = deliveryWindow(options);
    const outcomes = await deliver(deps, submitting, store, outbox, window.signal());
    const mine = outcomes.find((o) => 'id' in o && o.id === id);
    return {
      id,
      found: 'failed',
      outcome: mine?.state ?? 'pending',
      failure: mine?.state === 'failed' ? { code: mine.failure.code, reason: mine.failure.reason } : null,
    };
  } finally {
    await lock.release();
  }
}

/** A full id, or a prefix naming exactly one submission of the outbox. */
function resolveId(
  value: string,
  listing: { pending: { id: string }[]; done: { id: string }[]; failed: { id: string }[] },
): string {
  const wanted = value.toLowerCase();
  if (!/^[0-9a-f]+$/.test(wanted) || wanted.length < MIN_SUBMISSION_ID_PREFIX || wanted.length > 64) {
    throw new UsageError(
      `"${value}" is not a submission id: give the id esms status shows (at least ${MIN_SUBMISSION_ID_PREFIX} hex digits)`,
    );
  }
  const ids = new Set([...listing.failed, ...listing.pending, ...listing.done].map((item) => item.id));
  const matches = [...ids].filter((id) => id.startsWith(wanted));
  if (matches.length === 0) throw new UsageError(`no submission ${value} in the outbox (see esms status)`);
  if (matches.length > 1) {
    throw new AgentError('usage', `"${value}" names ${matches.length} submissions: give more digits`);
  }
  return matches[0] as string;
}
