import { parentPort, workerData } from 'node:worker_threads';
import { createEngine, type Engine } from '@esms-numerique/sdk';
import { isAgentError } from '../errors.js';
import type { RecordCounter } from '../progress/progress-observer.js';
import { WORKER_PROGRESS_BATCH_RECORDS } from '../progress/progress-timings.js';
import { readPlannedFileBatches } from '../sources/file-source.js';
import { feedEngineBatches, newFeedCounts, type FeedCounts } from './feed-engine.js';
import { createFactCollector } from './projection-facts.js';
import { segmentTransferList } from '../evidence/projection-segment.js';
import { isSourceIncompleteError } from '../sources/source-incomplete-error.js';
import type { FromWorker, ToWorker, WorkerSetup } from './parallel-protocol.js';
import { transferableBuffers } from '../shared/transferable-buffers.js';

/**
 * A worker thread of the parallel computation: reads the file slices it is given into its own SDK engine
 * (parsing, extraction and counting: all the per-record work) and, when told to finish, hands back what it
 * counted. Only per-person state crosses threads, never the records.
 */
const port = parentPort;
if (port === null) throw new Error('count-worker must run in a worker thread');
const { options, reportProgress, incompleteInput, pseudonymSecret, sealedInputRoots } =
  workerData as WorkerSetup;
// A run that seals: this thread also pseudonymises and encodes the facts of what it reads (the projection).
const collector =
  pseudonymSecret === undefined ? undefined : createFactCollector(pseudonymSecret, sealedInputRoots ?? []);
/** Created by the `start` message, which says which persons the main thread has read. */
let engine: Engine | undefined;
function startEngine(knownPersonKeys: string[]): void {
  engine = createEngine({
    ...options,
    knownPersonKeys,
    ...(collector === undefined ? {} : { onFact: collector.onFact }),
  });
}
function started(): Engine {
  if (engine === undefined) throw new Error('count-worker: a task arrived before the start message');
  return engine;
}
const counts: FeedCounts = newFeedCounts();

function post(message: FromWorker, transfer: ArrayBuffer[] = []): void {
  port!.postMessage(message, transfer);
}

/** Counts records by type and tells the main thread every `WORKER_PROGRESS_BATCH_RECORDS` (and at the end of a task). */
let batch: Record<string, number> = {};
let batched = 0;
function flushProgress(): void {
  if (batched === 0) return;
  post({ type: 'progress', byType: batch });
  batch = {};
  batched = 0;
}
const counter: RecordCounter | undefined = reportProgress
  ? {
      recordsRead(resourceType, count) {
        batch[resourceType] = (batch[resourceType] ?? 0) + count;
        batched += count;
        if (batched >= WORKER_PROGRESS_BATCH_RECORDS) flushProgress();
      },
    }
  : undefined;

async function runTask(task: Extract<ToWorker, { type: 'task' }>): Promise<void> {
  collector?.beginSegment();
  await feedEngineBatches(
    started(),
    readPlannedFileBatches(task.file, undefined, { range: task.range }),
    counts,
    incompleteInput,
    counter,
  );
  flushProgress();
  const segment = collector?.endSegment();
  post(
    { type: 'task-done', index: task.index, ...(segment === undefined ? {} : { segment }) },
    segmentTransferList(segment),
  );
}

port.on('message', (message: ToWorker) => {
  if (message.type === 'start') {
    startEngine(message.knownPersonKeys);
    return;
  }
  if (message.type === 'finish') {
    const partial = started().exportPartial();
    post(
      {
        type: 'partial',
        partial,
        ...counts,
        ...(collector === undefined ? {} : { timeForms: [...collector.timeForms] }),
      },
      transferableBuffers(partial),
    );
    port.close();
    return;
  }
  runTask(message).then(
    () => undefined,
    (error: unknown) =>
      post({
        type: 'error',
        code: isAgentError(error) ? error.code : 'internal',
        message: error instanceof Error ? error.message : String(error),
        ...(isSourceIncompleteError(error) ? { incomplete: error.incomplete } : {}),
      }),
  );
});
post({ type: 'ready' });
