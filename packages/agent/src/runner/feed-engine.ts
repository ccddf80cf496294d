import type { Engine } from '@esms-numerique/sdk';
import type { RecordCounter } from '../progress/progress-observer.js';
import { describeIncomplete, type InputIncomplete } from '../sources/input-incomplete.js';
import { SourceIncompleteError } from '../sources/source-incomplete-error.js';
import type { SourceItem } from '../sources/source.js';

/**
 * What to do with an input that could not be read to its end (indicators.md, "A record and an input"):
 * `report` it as an `input-incomplete` error of the results and compute the rest (`esms compute`, for
 * display), or `fail` at once with `SourceIncompleteError`, nothing computed (a run that seals or submits).
 */
export type IncompleteInputPolicy = 'report' | 'fail';

/** How many records an engine was fed, how many pieces of input could not be read, which inputs stopped early. */
export interface FeedCounts {
  records: number;
  problems: number;
  incomplete: InputIncomplete[];
}

export function newFeedCounts(): FeedCounts {
  return { records: 0, problems: 0, incomplete: [] };
}

/**
 * Feeds a source's items to an engine: records are added with where they were read, unreadable input (a bad
 * NDJSON line) is reported through the engine so that it shows in the results' data quality, an incomplete
 * input is reported or fails the read (`policy`). One loop for every reader (this thread, worker threads), so
 * they count alike; `counter` is told of each record by its resource type (progress).
 */
export async function feedEngine(
  engine: Engine,
  items: AsyncIterable<SourceItem>,
  counts: FeedCounts,
  policy: IncompleteInputPolicy,
  counter?: RecordCounter,
): Promise<void> {
  for await (const item of items) feedItem(engine, item, counts, policy, counter);
}

/**
 * `feedEngine` over arrays of items (a reader's batches, see `readPlannedFileBatches`): one async step per
 * batch instead of one per record.
 */
export async function feedEngineBatches(
  engine: Engine,
  batches: AsyncIterable<readonly SourceItem[]>,
  counts: FeedCounts,
  policy: IncompleteInputPolicy,
  counter?: RecordCounter,
): Promise<void> {
  for await (const batch of batches) {
    for (const item of batch) feedItem(engine, item, counts, policy, counter);
  }
}

function feedItem(
  engine: Engine,
  item: SourceItem,
  counts: FeedCounts,
  policy: IncompleteInputPolicy,
  counter: RecordCounter | undefined,
): void {
  switch (item.kind) {
    case 'record':
      counts.records++;
      counter?.recordsRead(resourceTypeOf(item.value), 1);
      // The item carries its place (input, line or byte offset, order): the SDK's RecordLocation.
      engine.add(item.value, item);
      break;
    case 'problem':
      counts.problems++;
      engine.reportUnreadable(item.problem.at ?? item.problem.location, item.problem.reason);
      break;
    case 'incomplete':
      reportIncomplete(engine, item.incomplete, counts, policy);
      break;
  }
}

/** A record's `resourceType` (a Bundle counts as one `Bundle`), or `unknown` for what is not a resource. */
export function resourceTypeOf(value: unknown): string {
  const type = (value as { resourceType?: unknown } | null)?.resourceType;
  return typeof type === 'string' ? type : 'unknown';
}

/** One incomplete input: into the results (`report`), or the end of the read (`fail`). */
export function reportIncomplete(
  engine: Engine,
  incomplete: InputIncomplete,
  counts: FeedCounts,
  policy: IncompleteInputPolicy,
): void {
  if (policy === 'fail') throw new SourceIncompleteError(incomplete);
  counts.incomplete.push(incomplete);
  engine.reportIncomplete(
    {
      input: incomplete.input,
      ...(incomplete.read.lines === undefined ? {} : { line: incomplete.read.lines }),
      ...(incomplete.read.bytes === undefined ? {} : { byteOffset: incomplete.read.bytes }),
    },
    describeIncomplete(incomplete),
  );
}
