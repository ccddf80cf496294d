import { isAgentError } from '../errors.js';
import type { SubmissionTransport } from './ars-client.js';
import type { Outbox, OutboxFailure, OutboxItem } from './outbox.js';
import type { OutboxCorruptError } from './outbox-corrupt-error.js';
import type { SubmissionReceipt } from './receipt.js';
import { createRetryPolicy, type RetryPolicy } from './retry-policy.js';
import { abortableSleep, type Sleep } from '../http/sleep.js';
import { SubmissionPermanentError, SubmissionTransientError } from './submission-errors.js';

/** The slice of a pino logger delivery uses. Only ids, counts and statuses are logged, never a body. */
export interface DeliveryLogger {
  info(details: object, message: string): void;
  warn(details: object, message: string): void;
  error(details: object, message: string): void;
}

/** How each outbox item ended this time. */
export type DeliveryOutcome =
  | { id: string; state: 'done'; attempts: number; receipt: SubmissionReceipt }
  | { id: string; state: 'failed'; attempts: number; failure: OutboxFailure }
  /** Interrupted (abort): still pending, resumed at the next start. */
  | { id: string; state: 'pending'; attempts: number; reason: 'aborted' }
  /** An unreadable outbox file: left in place and reported. */
  | { state: 'corrupt'; file: string; error: OutboxCorruptError };

export interface DeliverOptions {
  outbox: Outbox;
  client: SubmissionTransport;
  /** Default `createRetryPolicy()`. */
  policy?: RetryPolicy | undefined;
  logger?: DeliveryLogger | undefined;
  /** Default: a real, abortable timer. Tests pass one that advances a fake clock. */
  sleep?: Sleep | undefined;
  now?: (() => Date) | undefined;
  /** Stops between attempts (SIGTERM); the send in flight, if any, is allowed to finish. */
  signal?: AbortSignal | undefined;
}

interface Scheduled {
  item: OutboxItem;
  dueAtMs: number;
}

function shortId(id: string): string {
  return id.slice(0, 12);
}

/** Anything a custom transport throws that is not one of ours is treated as "may work later". */
function asSubmissionError(error: unknown): SubmissionTransientError | SubmissionPermanentError {
  if (error instanceof SubmissionTransientError || error instanceof SubmissionPermanentError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new SubmissionTransientError(`The transport failed: ${message}`, {}, { cause: error });
}

/**
 * Sends every pending submission of the outbox, retrying transient failures per the policy, and records
 * each step durably before the next: attempts in `pending/`, receipts in `done/`, refusals and
 * deadline failures in `failed/`. Items wait side by side (the one due first is sent first), so one
 * item backing off does not hold the others.
 *
 * A send whose answer never arrived (crash, kill -9, timeout) leaves the item pending; it is sent again
 * with the same id and bytes, and the ARS's `ifNoneExist` / `Idempotency-Key` keep a single copy.
 *
 * @returns one outcome per pending item (and per corrupt file).
 */
export async function deliverPending(options: DeliverOptions): Promise<DeliveryOutcome[]> {
  const { outbox, client, logger, signal } = options;
  const policy = options.policy ?? createRetryPolicy();
  const sleep = options.sleep ?? abortableSleep;
  const now = options.now ?? (() => new Date());

  const listing = await outbox.list();
  const outcomes: DeliveryOutcome[] = [];
  for (const error of listing.corrupt) {
    logger?.error({ file: error.file }, 'outbox file is corrupt; left in place');
    outcomes.push({ state: 'corrupt', file: error.file, error });
  }
  const queue: Scheduled[] = listing.pending.map((item) => ({
    item,
    // An unreadable date must not stall the item: it is then due now.
    dueAtMs: Date.parse(item.nextAttemptAt ?? '') || 0,
  }));

  while (queue.length > 0) {
    if (signal?.aborted === true) {
      for (const { item } of queue)
        outcomes.push({ id: item.id, state: 'pending', attempts: item.attempts, reason: 'aborted' });
      logger?.info(
        { pending: queue.length },
        'delivery interrupted; pending submissions resume at the next start',
      );
      break;
    }
    queue.sort((a, b) => a.dueAtMs - b.dueAtMs || a.item.createdAt.localeCompare(b.item.createdAt));
    const next = queue[0];
    if (next === undefined) break;
    const waitMs = next.dueAtMs - now().getTime();
    if (waitMs > 0) {
      await sleep(waitMs, signal);
      continue;
    }
    queue.shift();
    const settled = await attempt(next.item);
    if (settled !== undefined) outcomes.push(settled);
  }
  return outcomes;

  /** One send and its durable bookkeeping; `undefined` when the item goes back in the queue. */
  async function attempt(item: OutboxItem): Promise<DeliveryOutcome | undefined> {
    const attemptNumber = item.attempts + 1;
    let receipt: SubmissionReceipt;
    try {
      receipt = await client.send({ id: item.id, body: item.body });
    } catch (thrown) {
      if (isAgentError(thrown) && thrown.code === 'aborted') {
        return { id: item.id, state: 'pending', attempts: item.attempts, reason: 'aborted' };
      }
      return failedAttempt(item, asSubmissionError(thrown));
    }
    // Outside the try: a failure to record the receipt (disk full) is not a failed send and must surface.
    const done = await outbox.markDone(item.id, receipt);
    logger?.info(
      { submission: shortId(item.id), attempt: attemptNumber, status: receipt.status },
      'submission accepted',
    );
    return { id: item.id, state: 'done', attempts: done.attempts, receipt };
  }

  async function failedAttempt(
    item: OutboxItem,
    error: SubmissionTransientError | SubmissionPermanentError,
  ): Promise<DeliveryOutcome | undefined> {
    const at = now();
    const attemptNumber = item.attempts + 1;
    if (error instanceof SubmissionPermanentError) {
      const recorded = await outbox.recordAttempt(item.id, {
        error: error.message,
        status: error.status,
        at,
      });
      const failed = await outbox.markFailed(item.id, {
        code: 'submission-permanent',
        reason: error.message,
        status: error.status,
        at,
      });
      logger?.error(
        { submission: shortId(item.id), attempt: attemptNumber, status: error.status, reason: error.message },
        error.status === undefined
          ? 'submission not sent (configuration); kept (esms resend sends it again once the cause is fixed)'
          : 'submission refused by the ARS; kept (esms resend sends it again once the cause is fixed)',
      );
      return { id: item.id, state: 'failed', attempts: recorded.attempts, failure: failed.failure };
    }
    const decision = policy.decide({
      attempts: attemptNumber,
      createdAt: new Date(item.createdAt),
      now: at,
      retryAfterMs: error.retryAfterMs,
    });
    if (decision.kind === 'give-up') {
      const recorded = await outbox.recordAttempt(item.id, {
        error: error.message,
        status: error.status,
        at,
      });
      const failed = await outbox.markFailed(item.id, {
        code: 'submission-deadline',
        reason: `${decision.message}; last error: ${error.message}`,
        status: error.status,
        at,
      });
      logger?.error(
        { submission: shortId(item.id), attempts: recorded.attempts, reason: decision.reason },
        'submission overdue: still failing at its retry deadline; kept (esms resend sends it again)',
      );
      return { id: item.id, state: 'failed', attempts: recorded.attempts, failure: failed.failure };
    }
    const nextAttemptAt = new Date(at.getTime() + decision.delayMs);
    const updated = await outbox.recordAttempt(item.id, {
      error: error.message,
      status: error.status,
      at,
      nextAttemptAt,
    });
    logger?.warn(
      {
        submission: shortId(item.id),
        attempt: attemptNumber,
        status: error.status,
        network: error.networkCode,
        // The explanation, not just the code (`connection refused: nothing listens … (ECONNREFUSED)`).
        reason: error.message,
        retryInMs: decision.delayMs,
      },
      'submission failed; will retry',
    );
    queue.push({ item: updated, dueAtMs: nextAttemptAt.getTime() });
    return undefined;
  }
}
