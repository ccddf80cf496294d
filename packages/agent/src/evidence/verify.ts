import { createPublicKey } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { access, mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { isDigest } from './canonical-json.js';
import type { Digest } from './canonical-json.js';
import { blobPath, hashFile, listBlobs } from './blobs.js';
import {
  compareResults,
  compareSubjects,
  compareSubmission,
  extractMeasureReports,
} from './compare-figures.js';
import { asArray, field, isRecord } from './json-access.js';
import type { SubmittedReport } from './compare-figures.js';
import {
  FIRST_SEQ,
  GENESIS_HASH,
  JOURNAL_FILE,
  computeEntryHash,
  parseJournal,
  verifyEntrySignature,
} from './journal.js';
import type { JournalEntry } from './journal.js';
import { PUBLIC_KEY_FILE, normaliseFingerprint, publicKeyFingerprint } from './keys.js';
import { loadSdkRules } from './recompute.js';
import type { ComputeOptions, EvidenceRules, Fact } from './recompute.js';
import { entriesBeyondRetention } from './retention.js';
import { applyScope, type EstablishmentScope } from '../scope/establishment-scope.js';
import { extractTarFile } from './tar.js';
import { isErrnoCode } from '../durable-fs.js';

/** What each finding is about. */
export type VerificationCheck =
  | 'input'
  | 'public-key'
  | 'wrong-key'
  | 'journal'
  | 'entry-format'
  | 'incomplete-last-entry'
  | 'seq'
  | 'prev-hash'
  | 'hash'
  | 'signature'
  | 'blob-missing'
  | 'blob-digest'
  | 'projection'
  | 'recompute'
  | 'results'
  | 'submission'
  | 'subjects'
  | 'receipt'
  | 'measures'
  | 'retention';

/**
 * `error`: the evidence does not prove what it claims (verification fails). `warning`: worth knowing,
 * proves nothing false (a crash-torn final line, other measure definitions). `info`: context only.
 */
export type FindingSeverity = 'error' | 'warning' | 'info';

export interface VerificationFinding {
  /** The journal entry concerned, or `null` for the store as a whole. */
  seq: number | null;
  check: VerificationCheck;
  severity: FindingSeverity;
  message: string;
}

/** One sealed run as verification saw it (the report lists these). */
export interface VerifiedRun {
  seq: number;
  runId: string;
  measureDate: string;
  /** Whether every figure was recomputed from the projection and matched. */
  recomputed: boolean;
  ok: boolean;
}

export interface VerificationReport {
  /** Everything holds and at least one entry was checked. */
  ok: boolean;
  /**
   * The store holds no entry yet (a fresh `esms init`, or a first run that never got to its seal): nothing
   * to check and nothing to sign, which is not tampering. `ok` is then `false`, with no error.
   */
  nothingSealed: boolean;
  path: string;
  kind: 'store' | 'bundle';
  summary: {
    entries: number;
    runs: number;
    runsRecomputed: number;
    blobs: number;
    lastSeq: number | null;
    lastHash: string | null;
    keyFingerprint: string | null;
    expectedKeyFingerprint: string | null;
    errors: number;
    warnings: number;
  };
  runs: VerifiedRun[];
  findings: VerificationFinding[];
}

export interface VerifyOptions {
  /** PEM of the key the evidence must be signed with (`--public-key FILE`). */
  publicKeyPem?: string;
  /** Or its fingerprint, as printed by `esms init` and on the report. */
  expectedFingerprint?: string;
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

/**
 * Verifies an evidence store directory or an exported bundle (`.tar` / `.tar.gz`): every blob digest,
 * every link and sequence number, every signature (against the expected key when one is given), and
 * every figure of every sealed run, recomputed from its projection with the rules and compared with
 * the sealed results and with the MeasureReports in the sealed submission bytes. Works offline.
 * Never throws on bad evidence: every problem becomes a finding naming the entry and the check.
 */
export async function verifyEvidence(path: string, options: VerifyOptions = {}): Promise<VerificationReport> {
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
        { entries: 0, blobs: 0, lastSeq: null, lastHash: null, key: null, expected: null },
      );
    }
    return failedBeforeStart(path, 'store', `cannot read ${path}: ${describe(error)}`);
  }
  if (info.isDirectory()) return verifyStoreDirectory(path, path, 'store', options);
  const temporary = await mkdtemp(join(tmpdir(), 'esms-verify-'));
  try {
    try {
      await extractTarFile(path, temporary);
    } catch (error) {
      return failedBeforeStart(
        path,
        'bundle',
        `${path} is not a readable evidence bundle: ${describe(error)}`,
      );
    }
    const root = await findStoreRoot(temporary);
    if (root === null)
      return failedBeforeStart(path, 'bundle', `${path} holds no ${JOURNAL_FILE}: not an evidence bundle`);
    return await verifyStoreDirectory(root, path, 'bundle', options);
  } finally {
    await rm(temporary, { recursive: true, force: true });
  }
}

async function findStoreRoot(dir: string): Promise<string | null> {
  if (await exists(join(dir, JOURNAL_FILE))) return dir;
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    if (entry.isDirectory() && (await exists(join(dir, entry.name, JOURNAL_FILE))))
      return join(dir, entry.name);
  }
  return null;
}

function failedBeforeStart(path: string, kind: 'store' | 'bundle', message: string): VerificationReport {
  const findings: VerificationFinding[] = [{ seq: null, check: 'input', severity: 'error', message }];
  return buildReport(path, kind, findings, [], false, {
    entries: 0,
    blobs: 0,
    lastSeq: null,
    lastHash: null,
    key: null,
    expected: null,
  });
}

async function verifyStoreDirectory(
  dir: string,
  displayPath: string,
  kind: 'store' | 'bundle',
  options: VerifyOptions,
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
  const keyIsExpected =
    expectedFingerprint === null ||
    (storeFingerprint !== null &&
      normaliseFingerprint(storeFingerprint) === normaliseFingerprint(expectedFingerprint));
  if (!keyIsExpected) {
    add(
      null,
      'wrong-key',
      'error',
      `wrong key: the store is signed with key ${storeFingerprint ?? '(none)'}, not with the expected key ${expectedFingerprint ?? ''}`,
    );
  }
  // Signatures are checked against the key they must be made with: the expected one when known.
  const verificationKey = expectedKey ?? (keyIsExpected ? storeKey : null);
  const keyLabel = expectedKey !== null ? 'the expected key' : "the store's key";

  // 2. The journal, entry by entry.
  let text: string | null = null;
  try {
    text = await readFile(join(dir, JOURNAL_FILE), 'utf8');
  } catch (error) {
    add(null, 'journal', 'error', `no readable ${JOURNAL_FILE}: ${describe(error)}`);
    journalMissing = findings.at(-1) ?? null;
  }
  const parsed = parseJournal(text ?? '');
  const blobChecks = new Map<Digest, Promise<'ok' | 'missing' | 'altered'>>();
  const checkBlob = (digest: Digest): Promise<'ok' | 'missing' | 'altered'> => {
    let check = blobChecks.get(digest);
    if (check === undefined) {
      check = hashFile(blobPath(dir, digest)).then(
        (actual) => (actual.digest === digest ? 'ok' : 'altered'),
        () => 'missing' as const,
      );
      blobChecks.set(digest, check);
    }
    return check;
  };

  const entries: JournalEntry[] = [];
  const runs: VerifiedRun[] = [];
  const runEntries = new Map<string, JournalEntry>();
  const rules = options.rules === undefined ? await loadSdkRules() : options.rules;
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
    if (computeEntryHash(entry) !== entry.hash) {
      add(
        seq,
        'hash',
        'error',
        `entry seq ${seq}: its content does not match its hash (the entry was altered)`,
      );
    }
    if (verificationKey === null) {
      add(
        seq,
        'signature',
        'error',
        `entry seq ${seq}: signature not checked: ${expectedFingerprint === null ? 'no public key' : 'wrong key'}`,
      );
    } else if (!verifyEntrySignature(entry.hash, entry.signature, verificationKey)) {
      add(
        seq,
        'signature',
        'error',
        `entry seq ${seq}: the signature is not valid for ${keyLabel} (${publicKeyFingerprint(verificationKey)})` +
          (expectedKey !== null && !keyIsExpected ? ': wrong key' : ''),
      );
    }
    for (const { digest, where } of digestsIn(entry.payload)) {
      const outcome = await checkBlob(digest);
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
    if (entry.type === 'run-sealed') {
      if (options.recomputeRuns === undefined || options.recomputeRuns(entry)) {
        runs.push(await verifyRun(dir, entry, rules, checkBlob, add));
      }
      const runId = entry.payload['runId'];
      runEntries.set(typeof runId === 'string' ? runId : '(no run id)', entry);
    } else if (entry.type === 'submission-receipt' || entry.type === 'submission-failed') {
      checkRunReference(entry, runEntries, add);
    } else if (entry.type === 'submission-requeued') {
      checkRunReference(entry, runEntries, add);
      checkFailureReference(entry, entries, add);
    }
    previous = entry;
    previousUnreadable = false;
    expectedSeq = seq + 1;
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
    if (!isDigest(blob.digest)) {
      add(null, 'blob-digest', 'error', `unexpected file in the blob store: ${blob.path}`);
      continue;
    }
    if (blobChecks.has(blob.digest)) continue;
    if ((await checkBlob(blob.digest)) === 'altered') {
      add(
        null,
        'blob-digest',
        'error',
        `unreferenced blob ${blob.digest} does not match its digest (the content was altered)`,
      );
    }
  }

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

  return buildReport(displayPath, kind, findings, runs, nothingSealed, {
    entries: entries.length,
    blobs: blobs.length,
    lastSeq: previous?.seq ?? entries.at(-1)?.seq ?? null,
    lastHash: previous?.hash ?? entries.at(-1)?.hash ?? null,
    key: storeFingerprint,
    expected: expectedFingerprint,
  });
}

type AddFinding = (
  seq: number | null,
  check: VerificationCheck,
  severity: FindingSeverity,
  message: string,
) => void;

async function verifyRun(
  dir: string,
  entry: JournalEntry,
  rules: EvidenceRules | null,
  checkBlob: (digest: Digest) => Promise<'ok' | 'missing' | 'altered'>,
  add: AddFinding,
): Promise<VerifiedRun> {
  const payload = entry.payload;
  const runId = typeof payload['runId'] === 'string' ? payload['runId'] : '(no run id)';
  const measureDate = typeof payload['measureDate'] === 'string' ? payload['measureDate'] : '';
  const prefix = `entry seq ${entry.seq} (run ${runId})`;
  const run: VerifiedRun = { seq: entry.seq, runId, measureDate, recomputed: false, ok: false };
  let errors = 0;
  const fail = (check: VerificationCheck, message: string): void => {
    errors += 1;
    add(entry.seq, check, 'error', `${prefix}: ${message}`);
  };

  const projectionDigest = field(payload['projection'], 'digest');
  const resultsDigest = field(payload['results'], 'digest');
  const subjectsDigest = field(payload['subjects'], 'digest');
  const submissionDigest = field(payload['submission'], 'digest');
  for (const [name, digest] of [
    ['projection', projectionDigest],
    ['results', resultsDigest],
    ['subjects', subjectsDigest],
    ['submission', submissionDigest],
  ] as const) {
    if (!isDigest(digest)) fail('entry-format', `the run-sealed entry has no ${name} digest`);
  }
  if (
    !isDigest(projectionDigest) ||
    !isDigest(resultsDigest) ||
    !isDigest(subjectsDigest) ||
    !isDigest(submissionDigest)
  ) {
    return run;
  }
  if ((await checkBlob(projectionDigest)) !== 'ok') {
    fail('recompute', 'figures not recomputed: the projection blob is missing or altered');
    return run;
  }
  if (rules === null) {
    fail(
      'recompute',
      'figures not recomputed: this build of esms has no rules to recompute with (recomputeFromProjection)',
    );
    return run;
  }
  const measuresDigest = payload['measuresDigest'];
  if (
    rules.measuresDigest !== undefined &&
    typeof measuresDigest === 'string' &&
    measuresDigest !== rules.measuresDigest
  ) {
    add(
      entry.seq,
      'measures',
      'warning',
      `${prefix}: sealed with other measure definitions (${measuresDigest}, software ${String(payload['softwareVersion'])}) ` +
        `than this verifier's (${rules.measuresDigest}); figures were recomputed with this verifier's rules`,
    );
  }

  const computeOptions = isRecord(payload['computeOptions'])
    ? (payload['computeOptions'] as ComputeOptions)
    : {};
  const scope = sealedScope(payload);
  if (scope === 'malformed') {
    fail('entry-format', 'the run-sealed entry has a scope that is not a list of FINESS');
    return run;
  }
  let factCount = 0;
  let recomputed;
  try {
    const facts = countingFacts(readNdjson(blobPath(dir, projectionDigest)), () => {
      factCount += 1;
    });
    // Narrowed to the ESSMS the run sealed and submitted, exactly as the runner did (`applyScope`).
    const whole = await rules.recomputeFromProjection(facts, computeOptions);
    recomputed = scope === 'absent' ? whole : applyScope(whole, scope);
  } catch (error) {
    fail('recompute', `the recomputation from the projection failed: ${describe(error)}`);
    return run;
  }
  run.recomputed = true;
  const sealedCount = field(payload['projection'], 'count');
  if (typeof sealedCount === 'number' && sealedCount !== factCount) {
    fail('projection', `the projection holds ${factCount} facts but the entry says ${sealedCount}`);
  }
  if (measureDate !== recomputed.results.measureDate) {
    fail(
      'results',
      `the entry's measureDate ${measureDate} is not the computation's ${recomputed.results.measureDate}`,
    );
  }
  const periods = payload['periods'];
  if (isRecord(periods)) {
    for (const establishment of recomputed.results.establishments) {
      const sealed = periods[establishment.finess];
      if (
        field(sealed, 'start') !== establishment.period.start ||
        field(sealed, 'end') !== establishment.period.end
      ) {
        fail(
          'results',
          `the sealed period for ${establishment.finess} (${String(field(sealed, 'start'))} … ${String(field(sealed, 'end'))}) ` +
            `is not the recomputed one (${establishment.period.start} … ${establishment.period.end})`,
        );
      }
    }
  }

  if ((await checkBlob(resultsDigest)) === 'ok') {
    const sealedResults = await readJsonBlob(dir, resultsDigest);
    if (sealedResults === undefined) fail('results', 'the sealed results document is not valid JSON');
    else for (const message of compareResults(sealedResults, recomputed.results)) fail('results', message);
  }
  if ((await checkBlob(subjectsDigest)) === 'ok') {
    const sealedSubjects = await readJsonBlob(dir, subjectsDigest);
    if (sealedSubjects === undefined) fail('subjects', 'the sealed subject lists are not valid JSON');
    else
      for (const message of compareSubjects(sealedSubjects, recomputed.subjects)) fail('subjects', message);
  }
  if ((await checkBlob(submissionDigest)) === 'ok') {
    const body = await readJsonBlob(dir, submissionDigest);
    const submitted = body === undefined ? null : extractMeasureReports(body);
    if (submitted === null) {
      add(
        entry.seq,
        'submission',
        'warning',
        `${prefix}: the sealed submission bytes hold no FHIR MeasureReport: its figures were not cross-checked`,
      );
    } else {
      let expected: SubmittedReport[] | null = null;
      if (rules.toMeasureReports !== undefined) {
        try {
          expected = extractMeasureReports(rules.toMeasureReports(recomputed.results)) ?? [];
        } catch (error) {
          fail('submission', `the expected MeasureReports could not be rebuilt: ${describe(error)}`);
        }
      }
      const messages = compareSubmission(submitted, recomputed.results, expected);
      for (const message of messages) fail('submission', message);
      if (scope === 'absent' && messages.some((m) => m.endsWith('is missing from the submission'))) {
        add(
          entry.seq,
          'submission',
          'info',
          `${prefix}: sealed by esms ${String(payload['softwareVersion'])} before runs sealed their scope: ` +
            'its results hold every ESSMS of the data while only the configured ones were submitted, so ' +
            'this run cannot be verified; a new esms run-once seals the same figures in a run that verifies',
        );
      }
    }
  }
  run.ok = errors === 0;
  return run;
}

/**
 * The scope a run was sealed with: `null` (every ESSMS of the data), a FINESS list, `absent` for runs
 * sealed before the scope was (their results and submission must then match as a whole), or `malformed`.
 */
function sealedScope(payload: Record<string, unknown>): EstablishmentScope | 'absent' | 'malformed' {
  if (!('scope' in payload)) return 'absent';
  const scope = payload['scope'];
  if (scope === null) return null;
  const list = field(scope, 'establishments');
  if (!Array.isArray(list) || !list.every((f) => typeof f === 'string')) return 'malformed';
  return list;
}

function checkRunReference(entry: JournalEntry, runs: Map<string, JournalEntry>, add: AddFinding): void {
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
function checkFailureReference(entry: JournalEntry, earlier: readonly JournalEntry[], add: AddFinding): void {
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

/** Every blob digest a payload references, with where it sits (`projection`, `results`, …). */
function digestsIn(payload: Record<string, unknown>): { digest: Digest; where: string }[] {
  const found: { digest: Digest; where: string }[] = [];
  const walk = (value: unknown, where: string): void => {
    if (isDigest(value)) found.push({ digest: value, where });
    else if (Array.isArray(value)) asArray(value).forEach((item, index) => walk(item, `${where}[${index}]`));
    else if (isRecord(value)) {
      for (const [key, item] of Object.entries(value)) {
        // configDigest / measuresDigest name things that are not blobs in the store.
        if (key === 'configDigest' || key === 'measuresDigest') continue;
        walk(item, where === '' ? key : key === 'digest' ? where : `${where}.${key}`);
      }
    }
  };
  walk(payload, '');
  return found;
}

async function* readNdjson(path: string): AsyncGenerator<Fact> {
  const lines = createInterface({ input: createReadStream(path, 'utf8'), crlfDelay: Infinity });
  let lineNumber = 0;
  for await (const line of lines) {
    lineNumber += 1;
    if (line === '') continue;
    try {
      yield JSON.parse(line) as Fact;
    } catch (error) {
      throw new Error(`projection line ${lineNumber} is not valid JSON`, { cause: error });
    }
  }
}

async function* countingFacts(facts: AsyncIterable<Fact>, onFact: () => void): AsyncGenerator<Fact> {
  for await (const fact of facts) {
    onFact();
    yield fact;
  }
}

async function readJsonBlob(dir: string, digest: Digest): Promise<unknown> {
  try {
    return JSON.parse(await readFile(blobPath(dir, digest), 'utf8')) as unknown;
  } catch {
    return undefined;
  }
}

function buildReport(
  path: string,
  kind: 'store' | 'bundle',
  findings: VerificationFinding[],
  runs: VerifiedRun[],
  nothingSealed: boolean,
  facts: {
    entries: number;
    blobs: number;
    lastSeq: number | null;
    lastHash: string | null;
    key: string | null;
    expected: string | null;
  },
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
      errors,
      warnings: findings.filter((f) => f.severity === 'warning').length,
    },
    runs,
    findings,
  };
}

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
