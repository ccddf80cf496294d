import { setTimeout as delay } from 'node:timers/promises';

/**
 * Waits `ms` milliseconds, or less when `signal` aborts. It never rejects: the caller checks its signal after
 * the wait and says what an abort means for it (the source throws `aborted`, delivery keeps the item pending).
 * Tests pass one that records the delays, or advances a fake clock, instead of waiting.
 */
export type Sleep = (ms: number, signal?: AbortSignal) => Promise<void>;

/** The real, abortable sleep. */
export const abortableSleep: Sleep = async (ms, signal) => {
  if (signal?.aborted === true) return;
  try {
    await delay(Math.max(0, ms), undefined, signal === undefined ? undefined : { signal });
  } catch (error) {
    if ((error as { name?: unknown }).name !== 'AbortError') throw error;
  }
};
