import { isDigest } from './canonical-json.js';
import { field } from './json-access.js';
import { isRecord } from '../shared/is-record.js';
import { sealedSubmissionOf } from './evidence-seal.js';
import type { JournalEntry } from './journal.js';
import type { ResultsLike } from './recompute.js';
import { declaredBytes, readJsonBlob } from './verify-run.js';

export interface SealedRun {
  entry: JournalEntry;
  results: ResultsLike;
  /** The entry that sealed its submission bytes: the next one, or the run's own for runs sealed before the evidence seal. */
  submissionEntry: JournalEntry | null;
  /** Digest of the exact bytes submitted (or to be submitted), `null` when they were never sealed. */
  submissionDigest: string | null;
  /** The evidence seal its submission carries (contract.md §5), `null` for runs sealed before it. */
  seal: { hash: string; previous: string } | null;
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
    const parsed = await readJsonBlob(storeDir, digest, declaredBytes(entry.payload['results']));
    if (!isRecord(parsed) || !Array.isArray(parsed['establishments'])) continue;
    const legacy = 'submission' in entry.payload;
    const submissionEntry = sealedSubmissionOf(entries, entry) ?? null;
    const submissionDigest = field(submissionEntry?.payload['submission'], 'digest');
    runs.push({
      entry,
      results: parsed as unknown as ResultsLike,
      submissionEntry,
      submissionDigest: isDigest(submissionDigest) ? submissionDigest : null,
      seal: legacy ? null : { hash: entry.hash, previous: entry.prevHash },
    });
  }
  return runs;
}
