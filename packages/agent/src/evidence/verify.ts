import { createPublicKey } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isDigest } from './canonical-json.js';
import type { Digest } from './canonical-json.js';
import { hashBlobFile, listBlobs, locateBlob } from './blobs.js';
import { asArray, field } from './json-access.js';
import { isRecord } from '../shared/is-record.js';
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
import { PUBLIC_KEY_FILE, normaliseFingerprint, publicKeyFingerprint } from './keys.js';
import { sdkRules } from './recompute.js';
import type { EvidenceRules } from './recompute.js';
import { entriesBeyondRetention } from './retention.js';
import { checkTimestamps } from './timestamp-check.js';
import {
  BUNDLE_ROOT,
  MANIFEST_FILE,
  manifestContradictions,
  openBundle,
  readManifest,
} from './verify-bundle.js';
import { checkReceiptAnchors } from './verify-receipts.js';
import {
  declaredBytes,
  describe,
  verifyRun,
  verifySubmissionBytes,
  type BlobOutcome,
  type RecomputedRun,
  type RunCheckContext,
} from './verify-run.js';
import type {
  FindingSeverity,
  JournalKey,
  VerificationCheck,
  VerificationFinding,
  VerificationReport,
  VerifiedRun,
} from './verification-report.js';
import { isErrnoCode } from '../durable-fs.js';

export type {
  FindingSeverity,
  JournalKey,
  VerificationCheck,
  VerificationFinding,
  VerificationReport,
  VerifiedRun,
} from './verification-report.js';

export interface VerifyOptions {
  /** PEM of the key the evidence must be signed with (`--public-key FILE`). */
  publicKeyPem?: string;
  /** Or its fingerprint, as printed by `esms init` and on the report. */
  expectedFingerprint?: string;
  /**
   * `--expect-head HASH`: the hash of an entry that must be in the chain (printed on a signed report, or the
   * evidence seal an ARS holds). Any truncation before it, or a rewritten chain, fails.
   */
  expectedHead?: string;
  /** PEM of the certificate(s) of the time-stamping authority (its CA): RFC 3161 tokens are checked with it. */
  tsaCaPem?: string;
  /** At most this many bytes extracted from a bundle (default `DEFAULT_MAX_EXTRACT_BYTES`). */
  maxExtractBytes?: number;
  /**
   * The rules used to recompute. Default: the SDK's. `null` means none are available, which fails
   * every run's recomputation check.
   */
  rules?: EvidenceRules | null;
  /** Also report entries older than this many years (reported only: nothing is ever deleted). */
  retentionYears?: number;
  /**
   * Which sealed runs to recompute and compare (default: every one). The others are left out of `runs`;
   * digests, links and signatures are checked for every entry regardless (`esms export` checks the one
   * run it exports).
   */
  recomputeRuns?: (entry: JournalEntry) => boolean;
  /**
   * A store directory that does not exist yet is "nothing sealed" rather than an unreadable path
   * (`esms report` on an installation that never ran; `esms verify PATH` keeps a missing path an error).
   */
  absentStoreIsEmpty?: boolean;
  now?: () => Date;
}

interface StoreFacts {
  entries: number;
  blobs: number;
  lastSeq: number | null;
  lastHash: string | null;
  key: string | null;
  expected: string | null;
  keys: JournalKey[];
  expectedHead: { hash: string; seq: number | null } | null;
  timestamps: { tokens: number; verified: number; entriesWithout: number };
  /** Whether an exported bundle's MANIFEST.txt was checked against the journal. */
  manifest: 'checked' | 'absent';
}

const NO_FACTS: StoreFacts = {
  entries: 0,
  blobs: 0,
  lastSeq: null,
  lastHash: null,
  key: null,
  expected: null,
  keys: [],
  expectedHead: null,
  timestamps: { tokens: 0, verified: 0, entriesWithout: 0 },
  manifest: 'absent',
};

/**
 * Verifies an evidence store directory or an exported bundle (`.tar` / `.tar.gz`): every blob digest,
 * every link and sequence number, every signature (following key rotations, against the expected key
 * when one is given), the evidence seal of every submission and every seal the ARS returned, the
 * MANIFEST of a bundle, the RFC 3161 timestamps, and every figure of every sealed run, recomputed from
 * its projection with the rules and compared with the sealed results and with the MeasureReports in the
 * sealed submission bytes. Works offline. Never throws on bad evidence: every problem becomes a finding
 * naming the entry and the check.
 */
export async function verifyEvidence(path: string, options: VerifyOptions = {}): Promise<VerificationReport> {
  try {
    return await verifyPath(path, options);
  } catch (error) {
    // A verifier bug or an I/O failure must still end in a verdict, never in a stack trace.
    return failedBeforeStart(path, 'store', `verification could not complete: ${describe(error)}`);
  }
}

async function verifyPath(path: string, options: VerifyOptions): Promise<VerificationReport> {
  let info;
  try {
    info = await stat(path);
  } catch (error) {
    if (options.absentStoreIsEmpty === true && isErrnoCode(error, 'ENOENT')) {
      return buildReport(
        path,
        'store',
        [
          {
            seq: null,
            check: 'journal',
            severity: 'info',
            message: `nothing sealed yet: there is no evidence store at ${path}; a first esms run-once creates it`,
          },
        ],
        [],
        true,
        NO_FACTS,
      );
    }
    return failedBeforeStart(path, 'store', `cannot read ${path}: ${describe(error)}`);
  }
  if (info.isDirectory()) return verifyDirectory(path, options);
  const temporary = await mkdtemp(join(tmpdir(), 'esms-verify-'));
  try {
    const opened = await openBundle(
      path,
      temporary,
      options.maxExtractBytes === undefined ? {} : { maxExtractBytes: options.maxExtractBytes },
    );
    if (!opened.ok) return failedBeforeStart(path, 'bundle', opened.message, 'bundle');
    return await verifyStoreDirectory(opened.root, path, 'bundle', options);
  } finally {
    await rm(temporary, { recursive: true, force: true });
  }
}

/**
 * A directory: a live store, or an exported bundle unpacked by hand (`tar -xf`). An unpacked bundle's
 * MANIFEST.txt is checked as in the archive, whether the directory given is the store (`esms-evidence/`,
 * holding the MANIFEST) or the one it was unpacked into; a directory holding a store and another one under
 * `esms-evidence/` is refused, as a bundle holding two stores is.
 */
async function verifyDirectory(path: string, options: VerifyOptions): Promise<VerificationReport> {
  const exists = (file: string): Promise<boolean> =>
    stat(file).then(
      () => true,
      () => false,
    );
  const nested = join(path, BUNDLE_ROOT);
  const [hasJournal, hasManifest, nestedJournal, nestedManifest] = await Promise.all([
    exists(join(path, JOURNAL_FILE)),
    exists(join(path, MANIFEST_FILE)),
    exists(join(nested, JOURNAL_FILE)),
    exists(join(nested, MANIFEST_FILE)),
  ]);
  if (nestedJournal || nestedManifest) {
    if (hasJournal || hasManifest) {
      return failedBeforeStart(
        path,
        'store',
        `${path} holds a store and another one under ${BUNDLE_ROOT}/: refused, verify one store at a time`,
        'bundle',
      );
    }
    return verifyStoreDirectory(nested, nested, 'store', { ...options, checkManifest: nestedManifest });
  }
  return verifyStoreDirectory(path, path, 'store', { ...options, checkManifest: hasManifest });
}

function failedBeforeStart(
  path: string,
  kind: 'store' | 'bundle',
  message: string,
  check: VerificationCheck = 'input',
): VerificationReport {
  const findings: VerificationFinding[] = [{ seq: null, check, severity: 'error', message }];
  return buildReport(path, kind, findings, [], false, NO_FACTS);
}

async function verifyStoreDirectory(
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
  let storeKey: KeyObject | null = null;
  // These two are what an empty store lacks; they are errors only once something is sealed.
  let storeKeyMissing: VerificationFinding | null = null;
  let journalMissing: VerificationFinding | null = null;
  let storeFingerprint: string | null = null;
  try {
    const pem = await readFile(join(dir, PUBLIC_KEY_FILE), 'utf8');
    storeKey = createPublicKey(pem);
    storeFingerprint = publicKeyFingerprint(storeKey);
  } catch (error) {
    add(
      null,
      'public-key',
      'error',
      `the store's public key (${PUBLIC_KEY_FILE}) is missing or unreadable: ${describe(error)}`,
    );
    storeKeyMissing = findings.at(-1) ?? null;
  }
  let expectedKey: KeyObject | null = null;
  let expectedFingerprint: string | null = null;
  if (options.publicKeyPem !== undefined) {
    try {
      expectedKey = createPublicKey(options.publicKeyPem);
      expectedFingerprint = publicKeyFingerprint(expectedKey);
    } catch (error) {
      add(
        null,
        'public-key',
        'error',
        `the expected public key given is not a readable public key: ${describe(error)}`,
      );
    }
  } else if (options.expectedFingerprint !== undefined) {
    expectedFingerprint = options.expectedFingerprint;
  }

  // 2. The journal, and the keys it was signed with (its first key, then each rotation's new key).
  let text: string | null = null;
  try {
    text = await readFile(join(dir, JOURNAL_FILE), 'utf8');
  } catch (error) {
    add(null, 'journal', 'error', `no readable ${JOURNAL_FILE}: ${describe(error)}`);
    journalMissing = findings.at(-1) ?? null;
  }
  const parsed = parseJournal(text ?? '');
  const firstRotation = parsed.lines.find(
    (line) => line.kind === 'entry' && line.entry.type === 'key-rotated',
  );
  const firstRotationKeys =
    firstRotation?.kind === 'entry' ? rotationKeys(firstRotation.entry) : { problem: 'none' };
  const chainKeys: KeyObject[] = [];
  const initialKey = 'previous' in firstRotationKeys ? firstRotationKeys.previous : (storeKey ?? expectedKey);
  if (initialKey !== null) chainKeys.push(initialKey);
  for (const line of parsed.lines) {
    if (line.kind !== 'entry' || line.entry.type !== 'key-rotated') continue;
    const keys = rotationKeys(line.entry);
    if ('next' in keys) chainKeys.push(keys.next);
  }
  const chainFingerprints = chainKeys.map((k) => publicKeyFingerprint(k));
  const keyIsExpected =
    expectedFingerprint === null ||
    chainFingerprints.some(
      (f) => normaliseFingerprint(f) === normaliseFingerprint(expectedFingerprint ?? ''),
    );
  if (!keyIsExpected) {
    add(
      null,
      'wrong-key',
      'error',
      `wrong key: the store is signed with key ${chainFingerprints.join(' then ') || storeFingerprint || '(none)'}, not with the expected key ${expectedFingerprint ?? ''}`,
    );
  }
  // Signatures are checked with the journal's own keys once the expected one is among them; otherwise with
  // the expected key itself (every entry then fails, by name), or not at all.
  let currentKey: KeyObject | null = keyIsExpected ? initialKey : expectedKey;
  const keyLabel = (): string =>
    !keyIsExpected
      ? 'the expected key'
      : chainKeys.length > 1
        ? 'the key in use at that entry'
        : "the store's key";
  const keys: JournalKey[] = [];
  if (currentKey !== null) keys.push({ fingerprint: publicKeyFingerprint(currentKey), fromSeq: null });

  const blobChecks = new Map<Digest, Promise<BlobOutcome>>();
  const checkBlob = (digest: Digest, maxBytes?: number): Promise<BlobOutcome> => {
    let check = blobChecks.get(digest);
    if (check === undefined) {
      check = locateBlob(dir, digest).then(async (location) => {
        if (location === null) return 'missing';
        try {
          const actual = await hashBlobFile(location, maxBytes);
          return actual.digest === digest && (maxBytes === undefined || actual.bytes === maxBytes)
            ? 'ok'
            : 'altered';
        } catch {
          return 'altered';
        }
      });
      blobChecks.set(digest, check);
    }
    return check;
  };
  const rules = options.rules === undefined ? sdkRules() : options.rules;
  const ctx: RunCheckContext = {
    dir,
    rules,
    checkBlob,
    recordBlob: (digest, outcome) => blobChecks.set(digest, Promise.resolve(outcome)),
    add,
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
      add(seq, 'entry-format', 'error', `entry seq ${seq}: cannot be hashed: ${describe(error)}`);
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
      const outcome = await checkBlob(digest, maxBytes);
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

  // The newest key of the journal is the one the store publishes (and a signatory's report prints).
  const lastKey = keys.at(-1);
  if (
    keyIsExpected &&
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

  if (parsed.tornTail !== null) {
    add(
      null,
      'incomplete-last-entry',
      'warning',
      `incomplete-last-entry: the journal ends with ${Buffer.byteLength(parsed.tornTail)} bytes that do not form a complete entry ` +
        '(an append interrupted by a crash or a power cut; that entry was never acknowledged). ' +
        `Every complete entry before it was verified${previous === null ? '' : ` (up to entry seq ${previous.seq})`}. ` +
        'The agent sets these bytes aside (journal.torn/) at its next append.',
    );
  }

  // 3. Every blob on disk, referenced or not, must hold what its name says.
  const blobs = await listBlobs(dir);
  for (const blob of blobs) {
    if (blob.digest === null) {
      add(null, 'blob-digest', 'error', `unexpected file in the blob store: ${blob.path}`);
      continue;
    }
    if (blobChecks.has(blob.digest)) continue;
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

  // 4. What the chain must contain: the head an auditor was given (a signed report, an ARS's seal).
  let expectedHead: StoreFacts['expectedHead'] = null;
  if (options.expectedHead !== undefined) {
    const wanted = options.expectedHead.trim().toLowerCase();
    const found = entries.find((e) => e.hash === wanted);
    expectedHead = { hash: wanted, seq: found?.seq ?? null };
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
  }

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
    if (blobs.length > 0) {
      add(
        null,
        'journal',
        'warning',
        `the store holds ${blobs.length} blob(s) but no journal entry: a first seal was interrupted, or the journal was removed`,
      );
    }
  }

  if (options.retentionYears !== undefined) {
    const old = entriesBeyondRetention(
      entries,
      options.retentionYears,
      (options.now ?? (() => new Date()))(),
    );
    if (old.length > 0) {
      add(
        null,
        'retention',
        'info',
        `${old.length} entries (seq ${old[0]?.seq ?? '?'}…${old.at(-1)?.seq ?? '?'}) are older than the ${options.retentionYears}-year retention; ` +
          'they are kept (nothing is ever deleted automatically)',
      );
    }
  }

  const facts: StoreFacts = {
    entries: entries.length,
    blobs: blobs.length,
    lastSeq: previous?.seq ?? entries.at(-1)?.seq ?? null,
    lastHash: previous?.hash ?? entries.at(-1)?.hash ?? null,
    key: storeFingerprint,
    expected: expectedFingerprint,
    keys,
    expectedHead,
    timestamps,
    manifest: kind === 'bundle' || options.checkManifest === true ? 'checked' : 'absent',
  };

  // 6. A bundle's MANIFEST must say what the journal holds: it is what an auditor compares (in the
  // archive, or unpacked by hand).
  if (facts.manifest === 'checked') {
    const manifest = await readManifest(dir);
    if ('problem' in manifest) add(null, 'manifest', 'error', manifest.problem);
    else {
      for (const message of manifestContradictions(manifest.facts, {
        fingerprint: storeFingerprint ?? '',
        entries: facts.entries,
        runs: entries.filter((e) => e.type === 'run-sealed').length,
        lastSeq: facts.lastSeq,
        lastHash: facts.lastHash,
        blobs: facts.blobs,
      })) {
        add(null, 'manifest', 'error', `${message}: the MANIFEST and the journal contradict each other`);
      }
    }
  }

  return buildReport(displayPath, kind, findings, runs, nothingSealed, facts);
}

/**
 * A `submission-sealed` entry: it names the `run-sealed` entry just before it, its bytes carry that entry's
 * hash and prevHash, and its MeasureReports hold the figures recomputed for that run.
 */
async function checkSealedSubmission(
  ctx: RunCheckContext,
  entry: JournalEntry,
  sealedRuns: ReadonlyMap<string, JournalEntry>,
  recomputed: ReadonlyMap<string, RecomputedRun>,
  entries: readonly JournalEntry[],
): Promise<void> {
  const { add } = ctx;
  const reference = entry.payload['runEntry'];
  const runHash = field(reference, 'hash');
  const run = typeof runHash === 'string' ? sealedRuns.get(runHash) : undefined;
  const prefix = `entry seq ${entry.seq}`;
  if (run === undefined || field(reference, 'seq') !== run.seq) {
    add(
      entry.seq,
      'evidence-seal',
      'error',
      `${prefix}: the sealed submission names no run-sealed entry before it`,
    );
    return;
  }
  const before = entries.at(-2);
  if (before?.hash !== run.hash) {
    add(
      entry.seq,
      'evidence-seal',
      'error',
      `${prefix}: the sealed submission of run-sealed entry seq ${run.seq} does not come right after it`,
    );
  }
  if (
    entry.payload['submissionId'] !== run.payload['submissionId'] ||
    entry.payload['runId'] !== run.payload['runId']
  ) {
    add(
      entry.seq,
      'evidence-seal',
      'error',
      `${prefix}: names another run or submission id than entry seq ${run.seq}`,
    );
  }
  const seal = entry.payload['seal'];
  if (field(seal, 'hash') !== run.hash || field(seal, 'previous') !== run.prevHash) {
    add(
      entry.seq,
      'evidence-seal',
      'error',
      `${prefix}: the seal it records is not that of entry seq ${run.seq}`,
    );
  }
  const digest = field(entry.payload['submission'], 'digest');
  const checked = recomputed.get(run.hash);
  if (!isDigest(digest)) {
    add(entry.seq, 'entry-format', 'error', `${prefix}: the sealed submission has no digest`);
    return;
  }
  if (checked === undefined) return; // that run is not recomputed (esms export checks one run)
  const errors = await verifySubmissionBytes(ctx, {
    seq: entry.seq,
    prefix: `${prefix} (submission of run ${String(run.payload['runId'])})`,
    digest,
    maxBytes: declaredBytes(entry.payload['submission']),
    recomputed: checked,
    softwareVersion: run.payload['softwareVersion'],
    seal: { hash: run.hash, previous: run.prevHash },
  });
  if (errors > 0) checked.run.ok = false;
}

function checkRunReference(
  entry: JournalEntry,
  runs: Map<string, JournalEntry>,
  add: RunCheckContext['add'],
): void {
  const runId = entry.payload['runId'];
  const what =
    entry.type === 'submission-receipt'
      ? 'receipt'
      : entry.type === 'submission-requeued'
        ? 'resend record'
        : 'failure record';
  if (typeof runId !== 'string') {
    add(entry.seq, 'receipt', 'error', `entry seq ${entry.seq}: ${what} names no run`);
    return;
  }
  const sealed = runs.get(runId);
  if (sealed === undefined) {
    add(
      entry.seq,
      'receipt',
      'error',
      `entry seq ${entry.seq}: ${what} for run ${runId}, which was never sealed before it`,
    );
    return;
  }
  const reference = entry.payload['runEntry'];
  if (isRecord(reference) && (reference['hash'] !== sealed.hash || reference['seq'] !== sealed.seq)) {
    add(
      entry.seq,
      'receipt',
      'error',
      `entry seq ${entry.seq}: ${what} for run ${runId} points to another sealed entry than seq ${sealed.seq}`,
    );
  }
  if (entry.payload['submissionId'] !== sealed.payload['submissionId']) {
    add(
      entry.seq,
      'receipt',
      'error',
      `entry seq ${entry.seq}: ${what} for run ${runId} names another submission id than the sealed one`,
    );
  }
}

/**
 * A resend sets aside a kept failure: the failure it names (when it names one) must be an earlier
 * `submission-failed` entry of the same submission. A resend may name none: the outbox can hold a failure
 * whose journal entry a crash prevented (the failure is in the outbox before it is in the journal).
 */
function checkFailureReference(
  entry: JournalEntry,
  earlier: readonly JournalEntry[],
  add: RunCheckContext['add'],
): void {
  const reference = entry.payload['failureEntry'];
  const previous = entry.payload['previousFailure'];
  if (!isRecord(previous) || typeof previous['code'] !== 'string') {
    add(entry.seq, 'receipt', 'error', `entry seq ${entry.seq}: resend record names no previous failure`);
  }
  if (reference === null || reference === undefined) return;
  const failed = earlier.find(
    (e) => e.seq === field(reference, 'seq') && e.hash === field(reference, 'hash') && e.seq < entry.seq,
  );
  if (failed?.type !== 'submission-failed') {
    add(
      entry.seq,
      'receipt',
      'error',
      `entry seq ${entry.seq}: resend record points to no earlier failure record (seq ${String(field(reference, 'seq'))})`,
    );
  } else if (failed.payload['submissionId'] !== entry.payload['submissionId']) {
    add(
      entry.seq,
      'receipt',
      'error',
      `entry seq ${entry.seq}: resend record points to the failure of another submission (seq ${failed.seq})`,
    );
  }
}

/**
 * Every blob digest an entry references, with where it sits (`results`, …) and the size it declares. A
 * run's projection is left out when the run is recomputed: it is hashed while it is decoded.
 */
function digestsIn(entry: JournalEntry): { digest: Digest; where: string; maxBytes: number | undefined }[] {
  const found: { digest: Digest; where: string; maxBytes: number | undefined }[] = [];
  const stack: { value: unknown; where: string; parent: unknown }[] = [
    { value: entry.payload, where: '', parent: null },
  ];
  // Iterative, and the payload's depth was bounded when the line was parsed.
  while (stack.length > 0) {
    const { value, where, parent } = stack.pop() as { value: unknown; where: string; parent: unknown };
    if (isDigest(value)) found.push({ digest: value, where, maxBytes: declaredBytes(parent) });
    else if (Array.isArray(value))
      asArray(value).forEach((item, index) =>
        stack.push({ value: item, where: `${where}[${index}]`, parent: value }),
      );
    else if (isRecord(value)) {
      for (const [key, item] of Object.entries(value)) {
        // configDigest / measuresDigest name things that are not blobs in the store.
        if (key === 'configDigest' || key === 'measuresDigest') continue;
        if (entry.type === 'run-sealed' && where === '' && key === 'projection') continue;
        stack.push({
          value: item,
          where: where === '' ? key : key === 'digest' ? where : `${where}.${key}`,
          parent: value,
        });
      }
    }
  }
  return found.reverse();
}

function buildReport(
  path: string,
  kind: 'store' | 'bundle',
  findings: VerificationFinding[],
  runs: VerifiedRun[],
  nothingSealed: boolean,
  facts: StoreFacts,
): VerificationReport {
  const errors = findings.filter((f) => f.severity === 'error').length;
  return {
    ok: errors === 0 && !nothingSealed,
    nothingSealed,
    path,
    kind,
    summary: {
      entries: facts.entries,
      runs: runs.length,
      runsRecomputed: runs.filter((run) => run.recomputed).length,
      blobs: facts.blobs,
      lastSeq: facts.lastSeq,
      lastHash: facts.lastHash,
      keyFingerprint: facts.key,
      expectedKeyFingerprint: facts.expected,
      keys: facts.keys,
      expectedHead: facts.expectedHead,
      timestamps: facts.timestamps,
      manifest: facts.manifest,
      errors,
      warnings: findings.filter((f) => f.severity === 'warning').length,
    },
    runs,
    findings,
  };
}
