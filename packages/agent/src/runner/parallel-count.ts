import { existsSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { ComputeOptions, Engine } from '@esms-numerique/sdk';
import { AgentError } from '../errors.js';
import { planFiles, type PlannedFile } from '../sources/file-plan.js';
import { readPlannedFileBatches } from '../sources/file-source.js';
import { isGzipPath } from '../sources/ndjson-lines.js';
import type { RecordCounter } from '../progress/progress-observer.js';
import {
  feedEngineBatches,
  newFeedCounts,
  reportIncomplete,
  type FeedCounts,
  type IncompleteInputPolicy,
} from './feed-engine.js';
import { SourceIncompleteError } from '../sources/source-incomplete-error.js';
import type { FromWorker, ToWorker, WorkerSetup } from './parallel-protocol.js';
import { addTimeForms, type FactCollector, type ProjectionSink } from './projection-facts.js';
import type { ProjectionSegment } from '../evidence/projection-segment.js';

/**
 * NDJSON files larger than this are read as several slices, so one big Encounter file uses every core. A
 * run that seals appends one projection segment per slice, so its slices stay this size.
 */
export const PARALLEL_SLICE_BYTES = 16 * 1024 * 1024;
/**
 * The slice size when nothing is sealed (`esms compute`): smaller, so that the threads finish within a
 * few milliseconds of each other (with 16 MiB slices, one thread read alone for up to a slice's time, about
 * a quarter of a second at size L, while the others waited). A slice costs one message and one file open.
 */
export const COMPUTE_SLICE_BYTES = 4 * 1024 * 1024;
/**
 * Input bytes each reader thread must have for another to pay for its start (an isolate, its own copy of
 * the code, the merge of its state): below about this, one thread reads faster (`pnpm bench` at M).
 */
export const BYTES_PER_READER_THREAD = 128 * 1024 * 1024;

interface Task {
  /** Its place in input order: its projection segment's. */
  index: number;
  file: PlannedFile;
  range: { start: number; end: number } | undefined;
}

/** How many threads read `bytes` of input when the caller leaves it to the size (`'auto'`), at most `cap`. */
export function readerThreadsFor(bytes: number, cap: number): number {
  return Math.max(1, Math.min(cap, Math.floor(bytes / BYTES_PER_READER_THREAD)));
}

/**
 * Counts local files with worker threads: each worker reads slices of the files (byte ranges of big NDJSON
 * files) into its own engine; their partial states are merged into `engine` at the end. The SDK does not
 * depend on the order or the sharing of records, so the figures are those of one engine reading it all.
 *
 * @returns how many records were read, how many lines could not be parsed, which files stopped early.
 */
export async function countFilesInParallel(
  paths: readonly string[],
  engine: Engine,
  options: {
    /** Reader threads (this one included), or `{ auto: cap }`: chosen from the input's size, at most `cap`. */
    workers: number | { auto: number };
    computeOptions: ComputeOptions;
    signal?: AbortSignal | undefined;
    sliceBytes?: number;
    /** Told of the records read here and, in batches, of those the workers read. */
    progress?: RecordCounter | undefined;
    /** What to do with a file that cannot be read to its end (feed-engine.ts); default `fail`. */
    incompleteInput?: IncompleteInputPolicy | undefined;
    /**
     * A run that seals: every reader builds the projection segments of what it reads, appended to the sink
     * in input order, so the projection's bytes do not depend on the number of threads. `collector` is
     * this thread's (its engine's `onFact`).
     */
    projection?: { sink: ProjectionSink; collector: FactCollector } | undefined;
  },
): Promise<FeedCounts> {
  const progress = options.progress;
  const policy = options.incompleteInput ?? 'fail';
  const projection = options.projection;
  const segments = projection === undefined ? undefined : orderedSegments(projection.sink);
  const plan = await planFiles(paths);
  // Segment 0: what the plan found wrong (reported through this thread's engine).
  projection?.collector.beginSegment();
  for (const problem of plan.problems)
    engine.reportUnreadable(problem.at ?? problem.location, problem.reason);
  const counts: FeedCounts = { ...newFeedCounts(), problems: plan.problems.length };
  for (const incomplete of plan.incomplete) reportIncomplete(engine, incomplete, counts, policy);
  if (projection !== undefined) segments?.put(0, projection.collector.endSegment());
  const readInto = async (task: Task): Promise<void> => {
    projection?.collector.beginSegment();
    await feedEngineBatches(
      engine,
      readPlannedFileBatches(task.file, options.signal, { range: task.range }),
      counts,
      policy,
      progress,
    );
    if (projection !== undefined) segments?.put(task.index, projection.collector.endSegment());
  };
  // Organizations and Patients (small) are read here first: the workers then know every person, and need
  // not remember each record that refers to one for a possible `unknown-subject` report. The workers start
  // meanwhile (an isolate and its code take a few hundred milliseconds) and wait for them (`start`).
  const readFirst = plan.files.filter(
    (f) => f.resourceType === 'Organization' || f.resourceType === 'Patient',
  );
  const sliced = await sliceTasks(
    plan.files.filter((f) => !readFirst.includes(f)),
    options.sliceBytes ?? (projection === undefined ? COMPUTE_SLICE_BYTES : PARALLEL_SLICE_BYTES),
    1 + readFirst.length,
  );
  // Biggest first, so the workers finish together; in input order when segments must be appended in it
  // (a segment read early waits for those before it: slices of one size keep that wait short).
  const tasks = projection === undefined ? [...sliced].sort((a, b) => span(b) - span(a)) : sliced;
  let next = 0;
  const takeTask = (): Task | undefined => tasks[next++];
  const readers =
    typeof options.workers === 'number'
      ? options.workers
      : readerThreadsFor(
          tasks.reduce((sum, task) => sum + taskBytes(task), 0),
          options.workers.auto,
        );
  // This thread reads slices too: N reader threads are this one and N − 1 workers (one isolate fewer).
  const count = Math.max(0, Math.min(readers - 1, tasks.length - 1));
  const setup: WorkerSetup = {
    options: options.computeOptions,
    reportProgress: progress !== undefined,
    incompleteInput: policy,
    pseudonymSecret: projection?.sink.pseudonymSecret,
    sealedInputRoots: projection?.sink.sealedInputRoots,
  };
  // Set once the first files are read; workers ready before then wait in `waiting`.
  let knownPersonKeys: string[] | undefined;
  const waiting: (() => void)[] = [];
  const workers: Worker[] = [];
  try {
    const workersDone = new Promise<void>((resolve, reject) => {
      let running = count;
      let failed = false;
      const fail = (error: Error): void => {
        if (failed) return;
        failed = true;
        next = tasks.length; // this thread stops taking slices too
        reject(error);
      };
      if (count === 0) return resolve();
      const onAbort = (): void => fail(new AgentError('aborted', 'reading stopped by a signal'));
      if (options.signal?.aborted) return onAbort();
      options.signal?.addEventListener('abort', onAbort, { once: true });
      for (let i = 0; i < count; i++) {
        const worker = startWorker(setup);
        workers.push(worker);
        const send = (message: ToWorker): void => worker.postMessage(message);
        // Slices are handed out one at a time, so whoever is done early takes the next.
        const handOut = (): void => {
          const task = takeTask();
          send(
            task === undefined
              ? { type: 'finish' }
              : { type: 'task', index: task.index, file: task.file, range: task.range },
          );
        };
        const begin = (keys: string[]): void => {
          send({ type: 'start', knownPersonKeys: keys });
          handOut();
        };
        // Its partial state, merged once the thread has exited: its heap and its own copy of the state are
        // then freed, so they are not resident together with the merged state (peak RSS).
        let partial: Extract<FromWorker, { type: 'partial' }> | undefined;
        worker.on('message', (message: FromWorker) => {
          switch (message.type) {
            case 'task-done':
              if (message.segment !== undefined) segments?.put(message.index, message.segment);
              handOut();
              return;
            case 'ready':
              if (knownPersonKeys !== undefined) begin(knownPersonKeys);
              else waiting.push(() => begin(knownPersonKeys!));
              return;
            case 'progress':
              for (const [type, count] of Object.entries(message.byType)) progress?.recordsRead(type, count);
              return;
            case 'partial':
              partial = message;
              return;
            case 'error':
              fail(
                message.incomplete === undefined
                  ? new AgentError(message.code, message.message)
                  : new SourceIncompleteError(message.incomplete),
              );
              return;
          }
        });
        worker.on('error', (error) =>
          fail(new AgentError('internal', `a reader thread failed: ${error.message}`, { cause: error })),
        );
        worker.on('exit', () => {
          if (partial !== undefined && !failed) {
            const message = partial;
            partial = undefined;
            counts.records += message.records;
            counts.problems += message.problems;
            counts.incomplete.push(...message.incomplete);
            try {
              // Its record versions are adopted as they came (the SDK's merge copies no key).
              engine.mergePartial(message.partial);
            } catch (error) {
              fail(error instanceof Error ? error : new AgentError('internal', String(error)));
            }
            if (message.timeForms !== undefined && projection !== undefined)
              addTimeForms(projection.collector.timeForms, message.timeForms);
          }
          if (--running === 0) {
            options.signal?.removeEventListener('abort', onAbort);
            if (!failed) resolve();
          }
        });
      }
    });
    // Awaited below; a failure of the first files' reading must not leave it unhandled meanwhile.
    workersDone.catch(() => undefined);
    for (const [i, file] of readFirst.entries()) await readInto({ index: 1 + i, file, range: undefined });
    knownPersonKeys = engine.personKeys();
    for (const go of waiting.splice(0)) go();
    const readHere = (async (): Promise<void> => {
      for (let task = takeTask(); task !== undefined; task = takeTask()) await readInto(task);
    })();
    await Promise.all([workersDone, readHere]);
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
  segments?.end(1 + readFirst.length + tasks.length);
  return counts;
}

/** Appends segments to the sink in index order, holding those that arrive before their turn. */
function orderedSegments(sink: ProjectionSink): {
  put(index: number, segment: ProjectionSegment): void;
  end(total: number): void;
} {
  const early = new Map<number, ProjectionSegment>();
  let next = 0;
  return {
    put(index, segment) {
      early.set(index, segment);
      for (let ready = early.get(next); ready !== undefined; ready = early.get(next)) {
        early.delete(next);
        sink.appendSegment(ready);
        next += 1;
      }
    },
    end(total) {
      if (next !== total || early.size > 0)
        throw new AgentError('internal', `projection segments missing: ${next} of ${total} appended`);
    },
  };
}

/**
 * Whole files, except uncompressed NDJSON files above the slice size, which are cut into byte ranges; in
 * input order, numbered from `firstIndex`. The cut depends on the files alone, never on the thread count.
 */
async function sliceTasks(
  files: readonly PlannedFile[],
  sliceBytes: number,
  firstIndex: number,
): Promise<(Task & { bytes: number })[]> {
  const tasks: (Task & { bytes: number })[] = [];
  for (const file of files) {
    const bytes = await stat(file.path).then(
      (s) => s.size,
      () => 0,
    );
    // A file whose bulk manifest announces a count is read whole: only a whole read can check the count.
    const sliceable = file.format === 'ndjson' && !isGzipPath(file.path) && file.declaredCount === undefined;
    const size = sliceable ? bytes : 0;
    if (size <= sliceBytes) {
      tasks.push({ index: firstIndex + tasks.length, file, range: undefined, bytes });
      continue;
    }
    for (let start = 0; start < size; start += sliceBytes) {
      const end = Math.min(size, start + sliceBytes);
      tasks.push({ index: firstIndex + tasks.length, file, range: { start, end }, bytes: end - start });
    }
  }
  return tasks;
}

function span(task: Task): number {
  return task.range === undefined ? 0 : task.range.end - task.range.start;
}

function taskBytes(task: Task & { bytes?: number }): number {
  return task.bytes ?? span(task);
}

/**
 * The compiled worker next to this file; from the TypeScript sources (Vitest), the package's built one
 * (`pnpm build` runs before the tests), since a worker thread cannot load TypeScript by itself.
 */
function startWorker(setup: WorkerSetup): Worker {
  const beside = new URL('./count-worker.js', import.meta.url);
  const built = new URL('../../dist/runner/count-worker.js', import.meta.url);
  const script = existsSync(fileURLToPath(beside)) ? beside : built;
  if (!existsSync(fileURLToPath(script))) {
    throw new AgentError(
      'internal',
      `the reader thread script is missing (${fileURLToPath(script)}): run pnpm build`,
    );
  }
  return new Worker(script, { workerData: setup });
}
