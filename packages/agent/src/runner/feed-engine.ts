import type { Engine } from '@esms-numerique/sdk';
import type { SourceItem } from '../sources/source.js';

/** How many records an engine was fed, and how many pieces of input could not be read. */
export interface FeedCounts {
  records: number;
  problems: number;
}

/**
 * Feeds a source's items to an engine: records are added, unreadable input (a bad NDJSON line) is reported
 * through the engine so that it shows in the results' data quality. One loop for every reader (this thread,
 * worker threads), so they count alike.
 */
export async function feedEngine(
  engine: Engine,
  items: AsyncIterable<SourceItem>,
  counts: FeedCounts,
): Promise<void> {
  for await (const item of items) {
    if (item.kind === 'record') {
      counts.records++;
      engine.add(item.value);
    } else {
      counts.problems++;
      engine.reportUnreadable(item.problem.location, item.problem.reason);
    }
  }
}
