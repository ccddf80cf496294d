import type { Engine } from '@esms-numerique/sdk';
import type { RecordCounter } from '../progress/progress-observer.js';
import type { SourceItem } from '../sources/source.js';

/** How many records an engine was fed, and how many pieces of input could not be read. */
export interface FeedCounts {
  records: number;
  problems: number;
}

/**
 * Feeds a source's items to an engine: records are added, unreadable input (a bad NDJSON line) is reported
 * through the engine so that it shows in the results' data quality. One loop for every reader (this thread,
 * worker threads), so they count alike; `counter` is told of each record by its resource type (progress).
 */
export async function feedEngine(
  engine: Engine,
  items: AsyncIterable<SourceItem>,
  counts: FeedCounts,
  counter?: RecordCounter,
): Promise<void> {
  for await (const item of items) {
    if (item.kind === 'record') {
      counts.records++;
      counter?.recordsRead(resourceTypeOf(item.value), 1);
      engine.add(item.value);
    } else {
      counts.problems++;
      engine.reportUnreadable(item.problem.location, item.problem.reason);
    }
  }
}

/** A record's `resourceType` (a Bundle counts as one `Bundle`), or `unknown` for what is not a resource. */
export function resourceTypeOf(value: unknown): string {
  const type = (value as { resourceType?: unknown } | null)?.resourceType;
  return typeof type === 'string' ? type : 'unknown';
}
