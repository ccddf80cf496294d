/** A producer pushes batches with `emit` (which waits while the consumer is behind) until it is done. */
export type Producer<T> = (emit: (batch: T) => Promise<void>, signal: AbortSignal) => Promise<void>;

export interface BoundedMergeOptions {
  /** At most this many producers run at once. */
  concurrency: number;
  /** Producers wait once this many batches are waiting for the consumer. */
  maxBufferedBatches: number;
  signal?: AbortSignal | undefined;
}

/**
 * Runs producers with bounded concurrency and yields their batches as they arrive, in arrival order. Memory stays
 * bounded by the buffer (backpressure), not by what the producers could read. The first producer failure aborts the
 * others and is thrown to the consumer; a consumer that stops early (or an aborted `signal`) aborts them too, and
 * the generator returns only once every producer has settled, so nothing keeps running behind the caller's back.
 */
export async function* boundedMerge<T>(
  producers: readonly Producer<T>[],
  options: BoundedMergeOptions,
): AsyncGenerator<T, void, undefined> {
  const controller = new AbortController();
  const outer = options.signal;
  const onOuterAbort = (): void => controller.abort(outer?.reason);
  if (outer?.aborted === true) onOuterAbort();
  else outer?.addEventListener('abort', onOuterAbort, { once: true });

  const buffered: T[] = [];
  // In an object so that TypeScript does not narrow it across the awaits that let producers set it.
  const state: { failure: { error: unknown } | undefined } = { failure: undefined };
  let wakeConsumer: (() => void) | undefined;
  let wakeProducers: Array<() => void> = [];
  const notifyConsumer = (): void => {
    wakeConsumer?.();
    wakeConsumer = undefined;
  };
  const notifyProducers = (): void => {
    const waiting = wakeProducers;
    wakeProducers = [];
    for (const wake of waiting) wake();
  };
  controller.signal.addEventListener('abort', notifyProducers, { once: true });

  const emit = async (batch: T): Promise<void> => {
    while (buffered.length >= options.maxBufferedBatches && !controller.signal.aborted) {
      await new Promise<void>((resolve) => wakeProducers.push(resolve));
    }
    controller.signal.throwIfAborted();
    buffered.push(batch);
    notifyConsumer();
  };

  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < producers.length && !controller.signal.aborted) {
      const producer = producers[next];
      next += 1;
      if (producer === undefined) continue;
      try {
        await producer(emit, controller.signal);
      } catch (error) {
        if (state.failure === undefined && !controller.signal.aborted) {
          state.failure = { error };
          controller.abort(error);
        }
        return;
      }
    }
  };
  let running = 0;
  const workers = Array.from(
    { length: Math.max(1, Math.min(options.concurrency, producers.length)) },
    async () => {
      running += 1;
      try {
        await worker();
      } finally {
        running -= 1;
        notifyConsumer();
      }
    },
  );

  try {
    for (;;) {
      if (state.failure !== undefined) throw state.failure.error;
      const batch = buffered.shift();
      if (batch !== undefined) {
        notifyProducers();
        yield batch;
        continue;
      }
      // A failure is recorded before the abort it causes, so breaking here never hides one; an outer abort
      // ends the merge quietly and the caller, who owns that signal, says so.
      if (running === 0 || controller.signal.aborted) break;
      await new Promise<void>((resolve) => {
        wakeConsumer = resolve;
      });
    }
  } finally {
    outer?.removeEventListener('abort', onOuterAbort);
    controller.abort();
    await Promise.allSettled(workers);
  }
}
