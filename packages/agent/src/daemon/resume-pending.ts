import type { RunDependencies } from '../runner/run-dependencies.js';
import { acquireRunLock } from '../runner/run-lock.js';
import { deliver } from '../runner/run-once.js';

/** How resuming ended: how many submissions it found waiting, and how each ended this time. */
export interface ResumeResult {
  pending: number;
  delivered: number;
  failed: number;
}

/**
 * Sends what a previous process left in the outbox (a crash, a stop during a retry), under the run lock,
 * recording each receipt or final failure in the evidence like a run does.
 *
 * @throws AgentError `run-in-progress` when another process holds the run lock (it will deliver them).
 */
export async function resumePendingSubmissions(
  deps: RunDependencies,
  options: { signal?: AbortSignal | undefined } = {},
): Promise<ResumeResult> {
  const submitting = deps.submission;
  if (submitting === null) return { pending: 0, delivered: 0, failed: 0 };
  const lock = await acquireRunLock(deps.config.dataDir);
  try {
    const outbox = await submitting.outbox();
    const pending = (await outbox.list()).pending.length;
    if (pending === 0) return { pending, delivered: 0, failed: 0 };
    const store = await deps.evidence();
    const outcomes = await deliver(deps, submitting, store, outbox, options.signal);
    return {
      pending,
      delivered: outcomes.filter((o) => o.state === 'done').length,
      failed: outcomes.filter((o) => o.state === 'failed').length,
    };
  } finally {
    await lock.release();
  }
}
