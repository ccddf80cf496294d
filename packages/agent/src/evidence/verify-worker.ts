import { parentPort, workerData } from 'node:worker_threads';
import { createEngine, type ComputeOptions, type Engine, type Fact } from '@esms-numerique/sdk';
import { ColumnarDecoder, ProjectionCutError } from './projection-codec.js';
import type { FromVerifyWorker, ToVerifyWorker, VerifyWorkerSetup } from './verify-protocol.js';

/**
 * A worker thread of `esms verify`: decodes the projection parts it is sent, line by line, each into an
 * SDK engine of its own, and hands back each part's partial state once the part ends. The decoding and its
 * checks are `decodeColumnar`'s (the same `ColumnarDecoder`), so a forged block fails here with the
 * message one thread would have given.
 */
const port = parentPort;
if (port === null) throw new Error('verify-worker must run in a worker thread');
const { options, version } = workerData as VerifyWorkerSetup;
const computeOptions = options as unknown as ComputeOptions;
/** Keys of every Patient read so far, here or (as told) by other workers: see `knownPersonKeys`. */
const knownPersons = new Set<string>();

interface Part {
  engine: Engine;
  decoder: ColumnarDecoder;
  facts: number;
  /** Set once the part failed: its remaining lines are dropped. */
  failed: boolean;
}
const parts = new Map<number, Part>();

function post(message: FromVerifyWorker, transfer: ArrayBuffer[] = []): void {
  port!.postMessage(message, transfer);
}

function fail(part: number, state: Part, error: unknown): void {
  state.failed = true;
  post({
    type: 'part-failed',
    part,
    message: error instanceof Error ? error.message : String(error),
    cut: error instanceof ProjectionCutError,
  });
}

function onLine(message: Extract<ToVerifyWorker, { type: 'line' }>): void {
  let state = parts.get(message.part);
  if (state === undefined) {
    state = {
      engine: createEngine({ ...computeOptions, knownPersonKeys: knownPersons }),
      decoder: new ColumnarDecoder({ part: { firstLine: message.lineNumber, version } }),
      facts: 0,
      failed: false,
    };
    parts.set(message.part, state);
  }
  if (!state.failed) {
    try {
      const facts = state.decoder.line(
        // As `lines()` decodes them for one thread (a BOM kept, bad bytes replaced).
        Buffer.from(message.bytes.buffer, message.bytes.byteOffset, message.bytes.byteLength).toString(
          'utf8',
        ),
      );
      if (facts !== undefined) {
        for (const fact of facts) state.engine.addFact(fact as unknown as Fact);
        state.facts += facts.length;
        state.decoder.blockDone();
      }
    } catch (error) {
      fail(message.part, state, error);
    }
  }
  post({ type: 'consumed', bytes: message.bytes.byteLength });
}

function onEnd(part: number): void {
  const state = parts.get(part);
  parts.delete(part);
  if (state === undefined || state.failed) return;
  try {
    const personKeys = state.engine.personKeys();
    for (const key of personKeys) knownPersons.add(key);
    const partial = state.engine.exportPartial();
    post({ type: 'part-done', part, partial, facts: state.facts, personKeys }, buffersIn(partial));
  } catch (error) {
    fail(part, state, error);
  }
}

/**
 * The buffers of the typed arrays in `value`: a partial state is mostly typed arrays, handed over rather
 * than copied (the same walk as the reader threads' in runner/count-worker.ts).
 */
function buffersIn(value: unknown, found = new Set<ArrayBuffer>()): ArrayBuffer[] {
  if (ArrayBuffer.isView(value)) {
    if (value.buffer instanceof ArrayBuffer) found.add(value.buffer);
  } else if (typeof value === 'object' && value !== null) {
    for (const item of Array.isArray(value) ? value : Object.values(value))
      if (typeof item === 'object' && item !== null) buffersIn(item, found);
  }
  return [...found];
}

port.on('message', (message: ToVerifyWorker) => {
  switch (message.type) {
    case 'line':
      onLine(message);
      return;
    case 'end-part':
      onEnd(message.part);
      return;
    case 'known-persons':
      for (const key of message.keys) knownPersons.add(key);
      return;
  }
});
