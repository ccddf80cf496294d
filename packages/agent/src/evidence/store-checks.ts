import { hashBlobFile, listBlobs } from './blobs.js';
import type { JournalEntry } from './journal.js';
import { normaliseFingerprint } from './keys.js';
import { entriesBeyondRetention } from './retention.js';
import type { StoreFacts } from './store-facts.js';
import type { BlobChecks } from './blob-checks.js';
import type { JournalKey } from './verification-report.js';
import { manifestContradictions, readManifest } from './verify-bundle.js';
import type { BlobOutcome, RunCheckContext } from './verify-run.js';

/** The checks of a store made once its journal is read: each adds its findings through `add`. */
type Add = RunCheckContext['add'];

/** The newest key of the journal is the one the store publishes (and a signatory's report prints). */
export function checkPublishedKey(
  storeFingerprint: string | null,
  keys: readonly JournalKey[],
  add: Add,
): void {
  const lastKey = keys.at(-1);
  if (
    storeFingerprint !== null &&
    lastKey !== undefined &&
    normaliseFingerprint(lastKey.fingerprint) !== normaliseFingerprint(storeFingerprint)
  ) {
    add(
      null,
      'public-key',
      'error',
      `the store's public key (${storeFingerprint}) is not the key its journal signs with last (${lastKey.fingerprint})` +
        (keys.length > 1
          ? ': an esms rotate-key was interrupted (run it again to finish it), or the key file was replaced'
          : ''),
    );
  }
}

/** A journal that ends with part of an entry: a crash during an append, never acknowledged. */
export function checkTornTail(tornTail: string | null, last: JournalEntry | null, add: Add): void {
  if (tornTail === null) return;
  add(
    null,
    'incomplete-last-entry',
    'warning',
    `incomplete-last-entry: the journal ends with ${Buffer.byteLength(tornTail)} bytes that do not form a complete entry ` +
      '(an append interrupted by a crash or a power cut; that entry was never acknowledged). ' +
      `Every complete entry before it was verified${last === null ? '' : ` (up to entry seq ${last.seq})`}. ` +
      'The agent sets these bytes aside (journal.torn/) at its next append.',
  );
}

/** Every blob on disk, referenced or not, must hold what its name says. Returns how many files there are. */
export async function checkBlobsOnDisk(dir: string, checked: BlobChecks, add: Add): Promise<number> {
  const blobs = await listBlobs(dir);
  for (const blob of blobs) {
    if (blob.digest === null) {
      add(null, 'blob-digest', 'error', `unexpected file in the blob store: ${blob.path}`);
      continue;
    }
    if (checked.has(blob.digest)) continue;
    let outcome: BlobOutcome;
    try {
      outcome = (await hashBlobFile(blob)).digest === blob.digest ? 'ok' : 'altered';
    } catch {
      outcome = 'altered';
    }
    if (outcome === 'altered') {
      add(
        null,
        'blob-digest',
        'error',
        `unreferenced blob ${blob.digest} does not match its digest (the content was altered)`,
      );
    }
  }
  return blobs.length;
}

/** What the chain must contain: the head an auditor was given (a signed report, an ARS's seal). */
export function checkExpectedHead(
  entries: readonly JournalEntry[],
  expectedHead: string | undefined,
  add: Add,
): StoreFacts['expectedHead'] {
  if (expectedHead === undefined) return null;
  const wanted = expectedHead.trim().toLowerCase();
  const found = entries.find((e) => e.hash === wanted);
  if (found === undefined) {
    add(
      null,
      'expected-head',
      'error',
      `the expected head ${wanted} is the hash of no entry of this journal: it was truncated before that entry, or rewritten`,
    );
  } else if (found !== entries.at(-1)) {
    add(
      found.seq,
      'expected-head',
      'info',
      `the expected head is entry seq ${found.seq}; ${entries.length - entries.indexOf(found) - 1} entries were appended after it`,
    );
  }
  return { hash: wanted, seq: found?.seq ?? null };
}

/** Entries older than the retention are reported, never deleted. */
export function checkRetention(
  entries: readonly JournalEntry[],
  retentionYears: number,
  now: Date,
  add: Add,
): void {
  const old = entriesBeyondRetention(entries, retentionYears, now);
  if (old.length > 0) {
    add(
      null,
      'retention',
      'info',
      `${old.length} entries (seq ${old[0]?.seq ?? '?'}…${old.at(-1)?.seq ?? '?'}) are older than the ${retentionYears}-year retention; ` +
        'they are kept (nothing is ever deleted automatically)',
    );
  }
}

/**
 * A bundle's MANIFEST must say what the journal holds: it is what an auditor compares (in the archive, or
 * unpacked by hand).
 */
export async function checkManifest(dir: string, facts: StoreFacts, runs: number, add: Add): Promise<void> {
  const manifest = await readManifest(dir);
  if ('problem' in manifest) {
    add(null, 'manifest', 'error', manifest.problem);
    return;
  }
  for (const message of manifestContradictions(manifest.facts, {
    fingerprint: facts.keyFingerprint ?? '',
    entries: facts.entries,
    runs,
    lastSeq: facts.lastSeq,
    lastHash: facts.lastHash,
    blobs: facts.blobs,
  })) {
    add(null, 'manifest', 'error', `${message}: the MANIFEST and the journal contradict each other`);
  }
}
