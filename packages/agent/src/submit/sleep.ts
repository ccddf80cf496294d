import { setTimeout as delay } from 'node:timers/promises';

/** Waits `ms` milliseconds, or less when `signal` aborts (never rejects: the caller checks the signal). */
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
