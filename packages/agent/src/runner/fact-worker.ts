import { parentPort, workerData } from 'node:worker_threads';
import { createFactExtractor, type Fact } from '@esms-numerique/sdk';
import { isAgentError } from '../errors.js';
import { readPlannedFile } from '../sources/file-source.js';
import type { FromWorker, ToWorker, WorkerSetup } from './parallel-protocol.js';

/**
 * A worker thread of the parallel reader: reads the file slices it is given, parses each line and turns it
 * into facts with the SDK's extractor, and sends the facts back in batches. The main thread only counts
 * them, so the costly part (JSON parsing and extraction) runs on every core.
 */
const port = parentPort;
if (port === null) throw new Error('fact-worker must run in a worker thread');
const setup = workerData as WorkerSetup;
const extract = createFactExtractor({
  allCarePlansAreProjetPersonnalise: setup.allCarePlansAreProjetPersonnalise,
});

let credits = setup.maxBatchesInFlight;
let waiting: (() => void) | null = null;

function post(message: FromWorker): void {
  port!.postMessage(message);
}

async function flush(batch: Fact[], records: number): Promise<void> {
  // Back-pressure: at most `maxBatchesInFlight` batches the main thread has not counted yet.
  while (credits === 0) await new Promise<void>((resolve) => (waiting = resolve));
  credits--;
  // JSON text: V8 parses it faster than it deserialises structured clones of many small objects.
  post({ type: 'facts', facts: JSON.stringify(batch), records });
}

async function runTask(task: Extract<ToWorker, { type: 'task' }>): Promise<void> {
  let batch: Fact[] = [];
  let records = 0;
  const emit = (fact: Fact): void => {
    batch.push(fact);
  };
  for await (const item of readPlannedFile(task.file, undefined, { range: task.range })) {
    if (item.kind === 'problem') {
      post({ type: 'problem', problem: item.problem });
      continue;
    }
    records++;
    extract(item.value, emit);
    if (batch.length >= setup.batchSize) {
      await flush(batch, records);
      batch = [];
      records = 0;
    }
  }
  if (batch.length > 0 || records > 0) await flush(batch, records);
  post({ type: 'task-done' });
}

port.on('message', (message: ToWorker) => {
  switch (message.type) {
    case 'ack':
      credits++;
      if (waiting !== null) {
        const resume = waiting;
        waiting = null;
        resume();
      }
      return;
    case 'task':
      runTask(message).catch((error: unknown) => {
        post({
          type: 'error',
          code: isAgentError(error) ? error.code : 'internal',
          message: error instanceof Error ? error.message : String(error),
        });
      });
      return;
    case 'close':
      port.close();
      return;
  }
});
post({ type: 'ready' });
