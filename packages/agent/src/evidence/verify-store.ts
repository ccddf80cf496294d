import type { KeyObject } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { blobChecks } from './blob-checks.js';
import {
  checkFailureReference,
  checkRunReference,
  checkSealedSubmission,
  checkUnsealedSubmissions,
} from './entry-links.js';
import { digestsIn } from './journal-digests.js';
import {
  FIRST_SEQ,
  GENESIS_HASH,
  JOURNAL_FILE,
  computeEntryHash,
  parseJournal,
  verifyEntrySignature,
} from './journal.js';
import type { JournalEntry } from './journal.js';
import { rotationKeys } from './key-rotation.js';
import { PUBLIC_KEY_FILE, publicKeyFingerprint } from './keys.js';
import { sdkRules } from './recompute.js';
import { buildReport, type StoreFacts } from './store-facts.js';
import {
  checkBlobsOnDisk,
  checkExpectedHead,
  checkManifest,
  checkPublishedKey,
  checkRetention,
  checkTornTail,
} from './store-checks.js';
import { checkTimestamps } from './timestamp-check.js';
import type {
  FindingSeverity,
  JournalKey,
  VerificationCheck,
  VerificationFinding,
  VerificationReport,
  VerifiedRun,
} from './verification-report.js';
import { journalChainKeys, readGivenKeys } from './verify-keys.js';
import type { VerifyOptions } from './verify-options.js';
import { checkReceiptAnchors } from './verify-receipts.js';
import { verifyRun, type RecomputedRun, type RunCheckContext } from './verify-run.js';
import { errorMessage } from '../shared/error-message.js';

/**
 * Verifies one store directory (a live store, or a bundle's `esms-evidence/`): keys, then every journal entry
 * in order (sequence, link, hash, signature, blobs, and what its type must refer to), then the store as a whole
 * (blobs on disk, expected head, timestamps, retention, MANIFEST).
 */
export async function verifyStoreDirectory(
  dir: string,
  displayPath: string,
  kind: 'store' | 'bundle',
  options: VerifyOptions & { checkManifest?: boolean },
): Promise<VerificationReport> {
  const findings: VerificationFinding[] = [];
  const add = (
    seq: number | null,
    check: VerificationCheck,
    severity: FindingSeverity,
    message: string,
  ): void => {
    findings.push({ seq, check, severity, message });
  };

  // 1. Keys: the store's own, and the one it must be (when the caller knows it).
  const given = await readGivenKeys(dir, options, findings);
  const { storeKeyMissing, storeFingerprint, expectedFingerprint } = given;

  // 2. The journal, and the keys it was signed with (its first key, then each rotation's new key).
  // A missing journal is what an empty store lacks: an error only once something is sealed.
  let journalMissing: VerificationFinding | null = null;
  let text: string | null = null;
  try {
    text = await readFile(join(dir, JOURNAL_FILE), 'utf8');
  } catch (error) {
    add(null, 'journal', 'error', `no readable ${JOURNAL_FILE}: ${errorMessage(error)}`);
    journalMissing = findings.at(-1) ?? null;
  }
  const parsed = parseJournal(text ?? '');
  const { initialKey, chainKeys, keyIsExpected } = journalChainKeys(parsed.lines, given, add);
  // Signatures are checked with the journal's own keys once the expected one is among them; otherwise with
  // the expected key itself (every entry then fails, by name), or not at all.
  let currentKey: KeyObject | null = keyIsExpected ? initialKey : given.expectedKey;
  const keyLabel = (): string =>
    !keyIsExpected
      ? 'the expected key'
      : chainKeys.length > 1
        ? 'the key in use at that entry'
        : "the store's key";
  const keys: JournalKey[] = [];
  if (currentKey !== null) keys.push({ fingerprint: publicKeyFingerprint(currentKey), fromSeq: null });

  const blobs = blobChecks(dir);
  const ctx: RunCheckContext = {
    dir,
    rules: options.rules === undefined ? sdkRules() : options.rules,
    checkBlob: (digest, maxBytes) => blobs.check(digest, maxBytes),
    recordBlob: (digest, outcome) => blobs.record(digest, outcome),
    add,
    verifyThreads: options.verifyThreads,
  };

  const entries: JournalEntry[] = [];
  const runs: VerifiedRun[] = [];
  const runEntries = new Map<string, JournalEntry>();
  const sealedRunsByHash = new Map<string, JournalEntry>();
  const recomputedRuns = new Map<string, RecomputedRun>();
  let previous: JournalEntry | null = null;
  let previousUnreadable = false;
  let expectedSeq = FIRST_SEQ;

  for (const line of parsed.lines) {
    if (line.kind === 'unreadable') {
      add(
        expectedSeq,
        'entry-format',
        'error',
        `journal line ${line.lineNumber} (where entry seq ${expectedSeq} is expected) is unreadable: ${line.reason}`,
      );
      previous = null;
      previousUnreadable = true;
      expectedSeq += 1;
      continue;
    }
    const entry = line.entry;
    const seq = entry.seq;
    entries.push(entry);
    if (seq !== expectedSeq) {
      add(
        seq,
        'seq',
        'error',
        `entry seq ${seq} is at journal line ${line.lineNumber}, where entry seq ${expectedSeq} is expected: ` +
          (seq > expectedSeq
            ? 'an entry is missing or out of order'
            : 'entries are duplicated or out of order'),
      );
    }
    if (previous !== null) {
      if (entry.prevHash !== previous.hash) {
        add(seq, 'prev-hash', 'error', `entry seq ${seq}: prevHash does not match entry ${previous.seq}`);
      }
    } else if (!previousUnreadable && entry.prevHash !== GENESIS_HASH) {
      add(
        seq,
        'prev-hash',
        'error',
        `entry seq ${seq}: it is the first entry of the journal but its prevHash is not the genesis value: earlier entries were removed`,
      );
    }
    let hashOk = true;
    let computed: string;
    try {
      computed = computeEntryHash(entry);
    } catch (error) {
      computed = '';
      add(seq, 'entry-format', 'error', `entry seq ${seq}: cannot be hashed: ${errorMessage(error)}`);
    }
    if (computed !== entry.hash) {
      hashOk = false;
      add(
        seq,
        'hash',
        'error',
        `entry seq ${seq}: its content does not match its hash (the entry was altered)`,
      );
    }
    let signatureOk = false;
    if (currentKey === null) {
      add(
        seq,
        'signature',
        'error',
        `entry seq ${seq}: signature not checked: ${expectedFingerprint === null ? 'no public key' : 'wrong key'}`,
      );
    } else if (!verifyEntrySignature(entry.hash, entry.signature, currentKey)) {
      add(
        seq,
        'signature',
        'error',
        `entry seq ${seq}: the signature is not valid for ${keyLabel()} (${publicKeyFingerprint(currentKey)})` +
          (!keyIsExpected ? ': wrong key' : ''),
      );
    } else signatureOk = true;

    for (const { digest, where, maxBytes } of digestsIn(entry)) {
      const outcome = await blobs.check(digest, maxBytes);
      if (outcome === 'missing')
        add(seq, 'blob-missing', 'error', `entry seq ${seq}: blob ${where} (${digest}) is missing`);
      if (outcome === 'altered') {
        add(
          seq,
          'blob-digest',
          'error',
          `entry seq ${seq}: blob ${where} (${digest}) does not match its digest (the content was altered)`,
        );
      }
    }
    switch (entry.type) {
      case 'run-sealed': {
        if (options.recomputeRuns === undefined || options.recomputeRuns(entry)) {
          const checked = await verifyRun(ctx, entry);
          runs.push(checked.run);
          recomputedRuns.set(entry.hash, checked);
        }
        const runId = entry.payload['runId'];
        runEntries.set(typeof runId === 'string' ? runId : '(no run id)', entry);
        sealedRunsByHash.set(entry.hash, entry);
        break;
      }
      case 'submission-sealed':
        await checkSealedSubmission(ctx, entry, sealedRunsByHash, recomputedRuns, entries);
        break;
      case 'submission-receipt':
        checkRunReference(entry, runEntries, add);
        await checkReceiptAnchors(dir, entry, sealedRunsByHash, add);
        break;
      case 'submission-failed':
        checkRunReference(entry, runEntries, add);
        break;
      case 'submission-requeued':
        checkRunReference(entry, runEntries, add);
        checkFailureReference(entry, entries, add);
        break;
      case 'key-rotated': {
        const rotation = rotationKeys(entry);
        if ('problem' in rotation) {
          add(
            seq,
            'key-rotation',
            'error',
            `entry seq ${seq}: key rotation not followed: ${rotation.problem}`,
          );
        } else if (keyIsExpected && currentKey !== null && !rotation.previous.equals(currentKey)) {
          add(
            seq,
            'key-rotation',
            'error',
            `entry seq ${seq}: the key rotation names ${publicKeyFingerprint(rotation.previous)} as the key it retires, ` +
              `but the entries before it are signed with ${publicKeyFingerprint(currentKey)}`,
          );
        } else if (keyIsExpected && signatureOk && hashOk) {
          // From the next entry on, only the new key signs.
          currentKey = rotation.next;
          keys.push({ fingerprint: publicKeyFingerprint(rotation.next), fromSeq: seq + 1 });
        } else if (keyIsExpected) {
          add(
            seq,
            'key-rotation',
            'error',
            `entry seq ${seq}: key rotation not followed: the entry that names the new key does not verify`,
          );
        }
        break;
      }
      default:
        break;
    }
    previous = entry;
    previousUnreadable = false;
    expectedSeq = seq + 1;
  }

  if (keyIsExpected) checkPublishedKey(storeFingerprint, keys, add);
  checkTornTail(parsed.tornTail, previous, add);
  checkUnsealedSubmissions(entries, add);
  // 3. Every blob on disk, referenced or not, must hold what its name says.
  const blobCount = await checkBlobsOnDisk(dir, blobs, add);
  // 4. What the chain must contain: the head an auditor was given.
  const expectedHead = checkExpectedHead(entries, options.expectedHead, add);
  // 5. RFC 3161 timestamps of the entries (optional: only when a TSA was configured).
  const timestamps = await checkTimestamps(dir, entries, {
    ...(options.tsaCaPem === undefined ? {} : { tsaCaPem: options.tsaCaPem }),
    add,
  });

  // No entry at all, and nothing wrong but what a store with no entry lacks: nothing sealed yet.
  const nothingSealed =
    parsed.lines.length === 0 &&
    findings.every((f) => f.severity !== 'error' || f === journalMissing || f === storeKeyMissing);
  if (nothingSealed) {
    const absent = [journalMissing, storeKeyMissing];
    findings.splice(0, findings.length, ...findings.filter((f) => !absent.includes(f)));
    add(
      null,
      'journal',
      'info',
      `nothing sealed yet: the store holds no journal entry${journalMissing === null ? '' : ` (no ${JOURNAL_FILE})`}` +
        `${storeKeyMissing === null ? '' : ` and no public key (${PUBLIC_KEY_FILE})`}; a first esms run-once seals a run`,
    );
    if (blobCount > 0) {
      add(
        null,
        'journal',
        'warning',
        `the store holds ${blobCount} blob(s) but no journal entry: a first seal was interrupted, or the journal was removed`,
      );
    }
  }

  if (options.retentionYears !== undefined) {
    checkRetention(entries, options.retentionYears, (options.now ?? (() => new Date()))(), add);
  }

  const facts: StoreFacts = {
    entries: entries.length,
    blobs: blobCount,
    lastSeq: previous?.seq ?? entries.at(-1)?.seq ?? null,
    lastHash: previous?.hash ?? entries.at(-1)?.hash ?? null,
    keyFingerprint: storeFingerprint,
    expectedKeyFingerprint: expectedFingerprint,
    keys,
    expectedHead,
    timestamps,
    manifest: kind === 'bundle' || options.checkManifest === true ? 'checked' : 'absent',
  };

  // 6. A bundle's MANIFEST must say what the journal holds.
  if (facts.manifest === 'checked') {
    await checkManifest(dir, facts, entries.filter((e) => e.type === 'run-sealed').length, add);
  }

  return buildReport(displayPath, kind, findings, runs, nothingSealed, facts);
}
