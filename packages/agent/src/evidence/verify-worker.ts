import { createHash } from 'node:crypto';
import { parentPort, workerData } from 'node:worker_threads';
import { createEngine, type ComputeOptions, type Engine, type Fact } from '@esms-numerique/sdk';
import { ColumnarDecoder, ProjectionCutError } from './projection-codec.js';
import type { FromVerifyWorker, ToVerifyWorker, VerifyWorkerSetup } from './verify-protocol.js';
import { offsetLines } from './text-lines.js';
import { openProjectionBlob, rangeOf, startsDictionary } from './verify-ranges.js';
import { errorMessage } from '../shared/error-message.js';
import { transferableBuffers } from '../shared/transferable-buffers.js';

/**
 * A worker thread of `esms verify`: reads the projection's blob itself, skips to its byte range (see
 * verify-protocol.ts), decodes that range into an SDK engine of its own and hands back the engine's
 * partial state with the digest of the bytes it decoded. The decoding and its checks are `decodeColumnar`'s
 * (the same `ColumnarDecoder`), so a forged block fails here with the message one thread gives.
 */
const port = parentPort;
if (port === null) throw new Error('verify-worker must run in a worker thread');
const setup = workerData as VerifyWorkerSetup;

function post(message: FromVerifyWorker, transfer: ArrayBuffer[] = []): void {
  port!.postMessage(message, transfer);
}

/** Keys of the Patients the main thread has read (see `known-persons`). */
const knownPersons = new Set<string>();
port.on('message', (message: ToVerifyWorker) => {
  for (const key of message.keys) knownPersons.add(key);
});

/** The part being decoded: its engine (told the persons known when it started) and its decoder. */
interface Part {
  engine: Engine;
  decoder: ColumnarDecoder;
  facts: number;
}

function endPart(part: Part | undefined): void {
  if (part === undefined) return;
  const partial = part.engine.exportPartial();
  post({ type: 'part', partial, facts: part.facts }, transferableBuffers(partial));
}

/**
 * The blob's chunks; a blob this thread cannot read (removed or changed since the main thread opened it)
 * is not the projection's fault: the caller then decodes it in one piece, from the bytes it hashes.
 */
async function* readable(stream: AsyncIterable<unknown>): AsyncGenerator<Buffer> {
  try {
    for await (const chunk of stream) yield chunk as Buffer;
  } catch (error) {
    throw new ProjectionCutError(`the blob could not be read here: ${errorMessage(error)}`);
  }
}

async function decodeRange(): Promise<FromVerifyWorker> {
  const { index, threads, bytes } = setup;
  const options = setup.options as unknown as ComputeOptions;
  const hash = createHash('sha256');
  const header = new ColumnarDecoder({ expected: setup.expected });
  let part: Part | undefined;
  let failure: unknown;
  let range = 0;
  const stream = openProjectionBlob(setup.blob);
  try {
    for await (const line of offsetLines(readable(stream))) {
      if (line.offset + line.bytes.length > bytes)
        throw new ProjectionCutError('the projection is longer than its entry declares');
      // The header's version; a header one thread refuses is refused by the main thread first.
      if (line.number === 1) header.line(line.bytes.toString('utf8'));
      range = rangeOf(line, range, bytes, threads);
      if (range < index) continue;
      if (range > index) break;
      hash.update(line.bytes);
      if (line.terminated) hash.update('\n');
      // After a failure, the rest of the range is only hashed: the main thread trusts the failure only
      // if the bytes are those it hashed.
      if (failure !== undefined) continue;
      try {
        // Each part into an engine of its own, so that it knows the persons read by then.
        if (part === undefined || startsDictionary(line.bytes)) {
          endPart(part);
          part = {
            engine: createEngine({ ...options, knownPersonKeys: knownPersons }),
            decoder: new ColumnarDecoder({ part: { firstLine: line.number, version: header.blockVersion } }),
            facts: 0,
          };
        }
        const engine = part.engine;
        part.facts += part.decoder.lineInto(line.bytes.toString('utf8'), (fact) =>
          engine.addFact(fact as unknown as Fact),
        );
      } catch (error) {
        if (error instanceof ProjectionCutError) throw error;
        failure = error;
      }
    }
  } finally {
    stream.destroy();
  }
  if (failure !== undefined)
    return {
      type: 'failed',
      message: errorMessage(failure),
      cut: false,
      digest: hash.digest('hex'),
    };
  endPart(part);
  return { type: 'done', digest: hash.digest('hex') };
}

decodeRange().then(
  (done) => post(done),
  (error: unknown) =>
    // A header one thread refuses (the main thread reports it first), a cut, a blob it cannot read.
    post({
      type: 'failed',
      message: errorMessage(error),
      cut: error instanceof ProjectionCutError,
      digest: null,
    }),
);
