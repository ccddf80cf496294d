import { openEvidenceStore } from '../evidence/store.js';
import type { AgentContext } from '../runner/agent-context.js';
import { acquireRunLock } from '../runner/run-lock.js';
import { deliver, type RunOnceOptions } from '../runner/run-once.js';
import { Outbox } from '../submit/outbox.js';

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
  ctx: AgentContext,
  options: Pick<RunOnceOptions, 'signal' | 'transport' | 'sleep'> = {},
): Promise<ResumeResult> {
  if (ctx.config.ars === null) return { pending: 0, delivered: 0, failed: 0 };
  const lock = await acquireRunLock(ctx.dataDir);
  try {
    const outbox = await Outbox.open({ dataDir: ctx.dataDir, now: ctx.now });
    const pending = (await outbox.list()).pending.length;
    if (pending === 0) return { pending, delivered: 0, failed: 0 };
    const store = await openEvidenceStore(ctx.evidenceDir, { create: true, now: ctx.now });
    const outcomes = await deliver(ctx, store, outbox, options);
    return {
      pending,
      delivered: outcomes.filter((o) => o.state === 'done').length,
      failed: outcomes.filter((o) => o.state === 'failed').length,
    };
  } finally {
    await lock.release();
  }
}
