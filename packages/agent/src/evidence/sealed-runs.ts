import { readFile } from 'node:fs/promises';
import { blobPath } from './blobs.js';
import { isDigest } from './canonical-json.js';
import { field, isRecord } from './json-access.js';
import type { JournalEntry } from './journal.js';
import type { ResultsLike } from './recompute.js';

export interface SealedRun {
  entry: JournalEntry;
  results: ResultsLike;
}

/**
 * The runs sealed in a store with their results document, in journal order. A run whose results blob is
 * missing or unreadable is left out: verification, run separately, names it.
 */
export async function readSealedRuns(
  storeDir: string,
  entries: readonly JournalEntry[],
): Promise<SealedRun[]> {
  const runs: SealedRun[] = [];
  for (const entry of entries) {
    if (entry.type !== 'run-sealed') continue;
    const digest = field(entry.payload['results'], 'digest');
    if (!isDigest(digest)) continue;
    try {
      const parsed = JSON.parse(await readFile(blobPath(storeDir, digest), 'utf8')) as unknown;
      if (!isRecord(parsed) || !Array.isArray(parsed['establishments'])) continue;
      runs.push({ entry, results: parsed as unknown as ResultsLike });
    } catch {
      continue;
    }
  }
  return runs;
}
