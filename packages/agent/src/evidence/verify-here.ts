import { ColumnarDecoder, type ColumnarEncoding } from './projection-codec.js';
import type { ComputationLike, ComputeOptions, MergingEngine } from './recompute.js';
import { offsetLines } from './text-lines.js';

/**
 * Recomputes a columnar projection on this thread alone, block by block straight into the SDK's engine,
 * as the verify threads do (verify-threads.ts): an async iterable of facts (`decodeColumnar` into
 * `recomputeFromProjection`) costs two promises per fact, a million facts at size L (about a quarter of
 * verify's CPU, and the garbage that grows its heap). The decoder, its checks and its messages are the same.
 */
export async function recomputeHere(
  chunks: AsyncIterable<Buffer>,
  input: {
    expected: ColumnarEncoding;
    options: ComputeOptions;
    mergingEngine: (options: ComputeOptions) => MergingEngine;
  },
): Promise<{ computation: ComputationLike; facts: number }> {
  // Made first: options it refuses fail here, before the projection is read, as `recomputeFromProjection`.
  const engine = input.mergingEngine(input.options);
  const decoder = new ColumnarDecoder({ expected: input.expected });
  let facts = 0;
  for await (const line of offsetLines(chunks)) {
    facts += decoder.lineInto(line.bytes.toString('utf8'), (fact) => engine.addFact(fact));
  }
  decoder.end();
  return { computation: engine.finish(), facts };
}
