import { existsSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { ComputeOptions, Engine } from '@esms-numerique/sdk';
import { AgentError } from '../errors.js';
import { planFiles, type PlannedFile } from '../sources/file-plan.js';
import { readPlannedFile } from '../sources/file-source.js';
import { isGzipPath } from '../sources/ndjson-lines.js';
import type { RecordCounter } from '../progress/progress-observer.js';
import {
  feedEngine,
  newFeedCounts,
  reportIncomplete,
  type FeedCounts,
  type IncompleteInputPolicy,
} from './feed-engine.js';
import { SourceIncompleteError } from '../sources/source-incomplete-error.js';
import type { FromWorker, ToWorker, WorkerSetup } from './parallel-protocol.js';

/** NDJSON files larger than this are read as several slices, so one big Encounter file uses every core. */
export const PARALLEL_SLICE_BYTES = 16 * 1024 * 1024;

interface Task {
  file: PlannedFile;
  range: { start: number; end: number } | undefined;
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
    workers: number;
    computeOptions: ComputeOptions;
    signal?: AbortSignal | undefined;
    sliceBytes?: number;
    /** Told of the records read here and, in batches, of those the workers read. */
    progress?: RecordCounter | undefined;
    /** What to do with a file that cannot be read to its end (feed-engine.ts); default `fail`. */
    incompleteInput?: IncompleteInputPolicy | undefined;
  },
): Promise<FeedCounts> {
  const progress = options.progress;
  const policy = options.incompleteInput ?? 'fail';
  const plan = await planFiles(paths);
  for (const problem of plan.problems)
    engine.reportUnreadable(problem.at ?? problem.location, problem.reason);
  const counts: FeedCounts = { ...newFeedCounts(), problems: plan.problems.length };
  for (const incomplete of plan.incomplete) reportIncomplete(engine, incomplete, counts, policy);
  const readInto = (task: Task): Promise<void> =>
    feedEngine(
      engine,
      readPlannedFile(task.file, options.signal, { range: task.range }),
      counts,
      policy,
      progress,
    );
  // Organizations and Patients (small) are read here first: the workers then know every person, and need
  // not remember each record that refers to one for a possible `unknown-subject` report.
  const readFirst = plan.files.filter(
    (f) => f.resourceType === 'Organization' || f.resourceType === 'Patient',
  );
  for (const file of readFirst) await readInto({ file, range: undefined });
  const tasks = await sliceTasks(
    plan.files.filter((f) => !readFirst.includes(f)),
    options.sliceBytes ?? PARALLEL_SLICE_BYTES,
  );
  let next = 0;
  const takeTask = (): Task | undefined => tasks[next++];
  // This thread reads slices too: N reader threads are this one and N − 1 workers (one isolate fewer).
  const count = Math.max(0, Math.min(options.workers - 1, tasks.length - 1));
  const setup: WorkerSetup = {
    options: options.computeOptions,
    knownPersonKeys: engine.personKeys(),
    reportProgress: progress !== undefined,
    incompleteInput: policy,
  };
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
        worker.on('message', (message: FromWorker) => {
          switch (message.type) {
            case 'ready':
            case 'task-done': {
              // Slices are handed out one at a time, so whoever is done early takes the next.
              const task = takeTask();
              send(
                task === undefined
                  ? { type: 'finish' }
                  : { type: 'task', file: task.file, range: task.range },
              );
              return;
            }
            case 'progress':
              for (const [type, count] of Object.entries(message.byType)) progress?.recordsRead(type, count);
              return;
            case 'partial':
              counts.records += message.records;
              counts.problems += message.problems;
              counts.incomplete.push(...message.incomplete);
              engine.mergePartial(message.partial);
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
          if (--running === 0) {
            options.signal?.removeEventListener('abort', onAbort);
            if (!failed) resolve();
          }
        });
      }
    });
    const readHere = (async (): Promise<void> => {
      for (let task = takeTask(); task !== undefined; task = takeTask()) await readInto(task);
    })();
    await Promise.all([workersDone, readHere]);
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
  return counts;
}

/** Whole files, except uncompressed NDJSON files above the slice size, which are cut into byte ranges. */
async function sliceTasks(files: readonly PlannedFile[], sliceBytes: number): Promise<Task[]> {
  const tasks: Task[] = [];
  for (const file of files) {
    // A file whose bulk manifest announces a count is read whole: only a whole read can check the count.
    const sliceable = file.format === 'ndjson' && !isGzipPath(file.path) && file.declaredCount === undefined;
    const size = sliceable ? (await stat(file.path)).size : 0;
    if (size <= sliceBytes) {
      tasks.push({ file, range: undefined });
      continue;
    }
    for (let start = 0; start < size; start += sliceBytes) {
      tasks.push({ file, range: { start, end: Math.min(size, start + sliceBytes) } });
    }
  }
  // Biggest first: the last slices handed out are small, so the workers finish together.
  return tasks.sort((a, b) => span(b) - span(a));
}

function span(task: Task): number {
  return task.range === undefined ? 0 : task.range.end - task.range.start;
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
