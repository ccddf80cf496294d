import { existsSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { Fact } from '@esms-numerique/sdk';
import { AgentError } from '../errors.js';
import { planFiles, type PlannedFile } from '../sources/file-plan.js';
import { isGzipPath } from '../sources/ndjson-lines.js';
import type { SourceProblem } from '../sources/source.js';
import type { FromWorker, ToWorker, WorkerSetup } from './parallel-protocol.js';

/** NDJSON files larger than this are read as several slices, so one big Encounter file uses every core. */
export const PARALLEL_SLICE_BYTES = 8 * 1024 * 1024;
/** Facts per message from a worker, and unacknowledged messages allowed (bounds the memory in flight). */
export const FACT_BATCH_SIZE = 2_000;
export const MAX_BATCHES_IN_FLIGHT = 8;

export interface ParallelReadOptions {
  workers: number;
  allCarePlansAreProjetPersonnalise: boolean;
  signal?: AbortSignal | undefined;
  sliceBytes?: number | undefined;
}

export interface FactSink {
  fact(fact: Fact): void;
  problem(problem: SourceProblem): void;
}

interface Task {
  file: PlannedFile;
  range: { start: number; end: number } | undefined;
}

/**
 * Reads local files with worker threads: each worker parses slices of the files and extracts facts with the
 * SDK; this thread only hands out slices and passes the facts to `sink` (the engine's `addFact`). The SDK
 * does not depend on the order of records, so slices may finish in any order.
 *
 * @returns how many records were read.
 */
export async function readFactsInParallel(
  paths: readonly string[],
  options: ParallelReadOptions,
  sink: FactSink,
): Promise<{ records: number }> {
  const plan = await planFiles(paths);
  for (const problem of plan.problems) sink.problem(problem);
  const tasks = await sliceTasks(plan.files, options.sliceBytes ?? PARALLEL_SLICE_BYTES);
  const count = Math.max(1, Math.min(options.workers, tasks.length));
  const setup: WorkerSetup = {
    allCarePlansAreProjetPersonnalise: options.allCarePlansAreProjetPersonnalise,
    batchSize: FACT_BATCH_SIZE,
    maxBatchesInFlight: MAX_BATCHES_IN_FLIGHT,
  };
  let records = 0;
  let next = 0;
  const workers: Worker[] = [];
  try {
    await new Promise<void>((resolve, reject) => {
      let running = count;
      let failed = false;
      const fail = (error: Error): void => {
        if (failed) return;
        failed = true;
        reject(error);
      };
      const onAbort = (): void => fail(new AgentError('aborted', 'reading stopped by a signal'));
      if (options.signal?.aborted) return onAbort();
      options.signal?.addEventListener('abort', onAbort, { once: true });
      for (let i = 0; i < count; i++) {
        const worker = startWorker(setup);
        workers.push(worker);
        const send = (message: ToWorker): void => worker.postMessage(message);
        const giveWork = (): void => {
          const task = tasks[next++];
          send(task === undefined ? { type: 'close' } : { type: 'task', file: task.file, range: task.range });
        };
        worker.on('message', (message: FromWorker) => {
          switch (message.type) {
            case 'ready':
            case 'task-done':
              giveWork();
              return;
            case 'facts':
              records += message.records;
              for (const fact of JSON.parse(message.facts) as Fact[]) sink.fact(fact);
              send({ type: 'ack' });
              return;
            case 'problem':
              sink.problem(message.problem);
              return;
            case 'error':
              fail(new AgentError(message.code, message.message));
              return;
          }
        });
        worker.on('error', (error) =>
          fail(new AgentError('internal', `a reader thread failed: ${error.message}`, { cause: error })),
        );
        worker.on('exit', () => {
          running--;
          if (running === 0) {
            options.signal?.removeEventListener('abort', onAbort);
            if (!failed) resolve();
          }
        });
      }
    });
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
  return { records };
}

/** Whole files, except uncompressed NDJSON files above the slice size, which are cut into byte ranges. */
async function sliceTasks(files: readonly PlannedFile[], sliceBytes: number): Promise<Task[]> {
  const tasks: Task[] = [];
  for (const file of files) {
    if (file.format !== 'ndjson' || isGzipPath(file.path)) {
      tasks.push({ file, range: undefined });
      continue;
    }
    const size = (await stat(file.path)).size;
    if (size <= sliceBytes) {
      tasks.push({ file, range: undefined });
      continue;
    }
    for (let start = 0; start < size; start += sliceBytes) {
      tasks.push({ file, range: { start, end: Math.min(size, start + sliceBytes) } });
    }
  }
  return tasks;
}

/** The compiled worker next to this file; from the TypeScript sources (tests), the `.ts` one through tsx. */
function startWorker(setup: WorkerSetup): Worker {
  const compiled = new URL('./fact-worker.js', import.meta.url);
  if (existsSync(fileURLToPath(compiled))) return new Worker(compiled, { workerData: setup });
  return new Worker(new URL('./fact-worker.ts', import.meta.url), {
    workerData: setup,
    execArgv: ['--import', 'tsx'],
  });
}
