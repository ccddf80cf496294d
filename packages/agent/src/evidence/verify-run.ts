/**
 * One sealed run, checked: its projection read back (hashed as it is decoded: one pass), every figure
 * recomputed with the rules and compared with the sealed results, subject lists and submitted bytes.
 * Sealed data is read as untrusted: depth-checked JSON, sizes bounded by what the entry declares.
 */
import { createHash } from 'node:crypto';
import { isDigest, toDigest } from './canonical-json.js';
import type { Digest } from './canonical-json.js';
import { locateBlob, readBlob } from './blobs.js';
import { openProjectionBlob } from './verify-ranges.js';
import {
  compareResults,
  compareSubjects,
  compareSubmission,
  extractMeasureReports,
} from './compare-figures.js';
import type { SubmittedReport } from './compare-figures.js';
import { EVIDENCE_SEAL_URL, sealCarried } from './evidence-seal.js';
import { asArray, field } from './json-access.js';
import { isRecord } from '../shared/is-record.js';
import type { JournalEntry } from './journal.js';
import {
  COLUMNAR_ENCODING,
  COLUMNAR_ENCODING_V1,
  COLUMNAR_ENCODING_V2,
  decodeColumnar,
  type ColumnarEncoding,
} from './projection-codec.js';
import type { ComputationLike, ComputeOptions, EvidenceRules, Fact, ResultsLike } from './recompute.js';
import { parseEvidenceJson } from './safe-json.js';
import { lines } from './text-lines.js';
import { recomputeHere } from './verify-here.js';
import { recomputeInThreads, verifyThreadsFor } from './verify-threads.js';
import type { FindingSeverity, VerificationCheck, VerifiedRun } from './verification-report.js';
import { applyScope, type EstablishmentScope } from '../scope/establishment-scope.js';
import { errorMessage } from '../shared/error-message.js';

/** A JSON blob whose entry declares no size is read up to this (results, subject lists, receipts). */
export const MAX_JSON_BLOB_BYTES = 512 * 1024 * 1024;

export type BlobOutcome = 'ok' | 'missing' | 'altered';

export type AddFinding = (
  seq: number | null,
  check: VerificationCheck,
  severity: FindingSeverity,
  message: string,
) => void;

export interface RunCheckContext {
  dir: string;
  rules: EvidenceRules | null;
  checkBlob: (digest: Digest, maxBytes?: number) => Promise<BlobOutcome>;
  /** Records the outcome of a blob hashed elsewhere (the projection, while it is decoded). */
  recordBlob: (digest: Digest, outcome: BlobOutcome) => void;
  add: AddFinding;
  /** This many threads recompute a run (default: by the projection's size, up to the cores). */
  verifyThreads?: number | undefined;
}

/** A run's recomputation, kept until its `submission-sealed` entry is checked. */
export interface RecomputedRun {
  run: VerifiedRun;
  results: ResultsLike | null;
  /** Runs sealed before the scope was (their results hold every ESSMS of the data). */
  scopeAbsent: boolean;
}

/** The declared uncompressed size of a blob reference in a payload, when it is a sane number. */
export function declaredBytes(reference: unknown): number | undefined {
  const bytes = field(reference, 'bytes');
  return typeof bytes === 'number' && Number.isSafeInteger(bytes) && bytes >= 0 ? bytes : undefined;
}

/** Reads and parses a JSON blob; `undefined` when it is missing, too large, not JSON or too deep. */
export async function readJsonBlob(dir: string, digest: Digest, maxBytes?: number): Promise<unknown> {
  try {
    const parsed = parseEvidenceJson(
      (await readBlob(dir, digest, maxBytes ?? MAX_JSON_BLOB_BYTES)).toString('utf8'),
    );
    return parsed.ok ? parsed.value : undefined;
  } catch {
    return undefined;
  }
}

/** Checks a `run-sealed` entry: recomputes its figures and compares them (and, for runs sealed before the
 * evidence seal, its submission bytes, which that entry referenced itself). */
export async function verifyRun(ctx: RunCheckContext, entry: JournalEntry): Promise<RecomputedRun> {
  const { add, rules } = ctx;
  const payload = entry.payload;
  const runId = typeof payload['runId'] === 'string' ? payload['runId'] : '(no run id)';
  const measureDate = typeof payload['measureDate'] === 'string' ? payload['measureDate'] : '';
  const prefix = `entry seq ${entry.seq} (run ${runId})`;
  const legacy = 'submission' in payload;
  const run: VerifiedRun = {
    seq: entry.seq,
    runId,
    measureDate,
    recomputed: false,
    ok: false,
    seal: legacy ? null : { hash: entry.hash, previous: entry.prevHash },
  };
  const outcome: RecomputedRun = { run, results: null, scopeAbsent: !('scope' in payload) };
  let errors = 0;
  const fail = (check: VerificationCheck, message: string): void => {
    errors += 1;
    add(entry.seq, check, 'error', `${prefix}: ${message}`);
  };

  const projectionDigest = field(payload['projection'], 'digest');
  const resultsDigest = field(payload['results'], 'digest');
  const subjectsDigest = field(payload['subjects'], 'digest');
  const submissionDigest = legacy ? field(payload['submission'], 'digest') : null;
  const named: [string, unknown][] = [
    ['projection', projectionDigest],
    ['results', resultsDigest],
    ['subjects', subjectsDigest],
  ];
  if (legacy) named.push(['submission', submissionDigest]);
  for (const [name, digest] of named) {
    if (!isDigest(digest)) fail('entry-format', `the run-sealed entry has no ${name} digest`);
  }
  if (!isDigest(projectionDigest) || !isDigest(resultsDigest) || !isDigest(subjectsDigest)) return outcome;
  if (legacy && !isDigest(submissionDigest)) return outcome;
  if (rules === null) {
    fail(
      'recompute',
      'figures not recomputed: this build of esms has no rules to recompute with (recomputeFromProjection)',
    );
    return outcome;
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
    return outcome;
  }
  const encoding = field(payload['projection'], 'encoding') ?? 'ndjson';
  if (
    encoding !== 'ndjson' &&
    encoding !== COLUMNAR_ENCODING &&
    encoding !== COLUMNAR_ENCODING_V2 &&
    encoding !== COLUMNAR_ENCODING_V1
  ) {
    fail(
      'projection',
      `the projection's encoding ${JSON.stringify(encoding)} is not one this verifier reads`,
    );
    return outcome;
  }

  // 1. The projection, hashed while it is decoded and recomputed (a single read of the largest blob).
  const location = await locateBlob(ctx.dir, projectionDigest);
  if (location === null) {
    ctx.recordBlob(projectionDigest, 'missing');
    add(
      entry.seq,
      'blob-missing',
      'error',
      `entry seq ${entry.seq}: blob projection (${projectionDigest}) is missing`,
    );
    fail('recompute', 'figures not recomputed: the projection blob is missing or altered');
    return outcome;
  }
  const declared = declaredBytes(payload['projection']);
  const limit = declared ?? Number.MAX_SAFE_INTEGER;
  // A columnar projection is decoded block by block into the SDK's engine (verify-here.ts), by worker
  // threads when it is large and there are cores for them (verify-threads.ts).
  const columnar = encoding !== 'ndjson' && rules.mergingEngine !== undefined;
  const threads =
    columnar &&
    declared !== undefined &&
    (encoding === COLUMNAR_ENCODING || encoding === COLUMNAR_ENCODING_V2)
      ? (ctx.verifyThreads ?? verifyThreadsFor(declared))
      : 1;
  let hashing = hashingChunks(openProjectionBlob(location), limit);
  let factCount = 0;
  let recomputed;
  let failure: unknown = null;
  try {
    let whole: ComputationLike | undefined;
    if (threads > 1 && rules.mergingEngine !== undefined && declared !== undefined) {
      const threaded = await recomputeInThreads(hashing.chunks, {
        blob: location,
        bytes: declared,
        expected: encoding as ColumnarEncoding,
        options: computeOptions,
        mergingEngine: rules.mergingEngine,
        threads,
      });
      if (threaded === 'cut') {
        // A line that looks like a new dictionary but is not one: decoded again, in one piece.
        await hashing.finish();
        hashing = hashingChunks(openProjectionBlob(location), limit);
      } else {
        whole = threaded.computation;
        factCount = threaded.facts;
      }
    }
    if (whole === undefined && columnar && rules.mergingEngine !== undefined) {
      const here = await recomputeHere(hashing.chunks, {
        expected: encoding,
        options: computeOptions,
        mergingEngine: rules.mergingEngine,
      });
      whole = here.computation;
      factCount = here.facts;
    }
    if (whole === undefined) {
      const decoded =
        encoding === 'ndjson'
          ? ndjsonFacts(lines(hashing.chunks))
          : decodeColumnar(lines(hashing.chunks), encoding);
      const facts = counting(decoded, () => {
        factCount += 1;
      });
      whole = await rules.recomputeFromProjection(facts, computeOptions);
    }
    // Narrowed to the ESSMS the run sealed and submitted, exactly as the runner did (`applyScope`).
    recomputed = scope === 'absent' ? whole : applyScope(whole, scope);
  } catch (error) {
    failure = error;
  }
  // Whatever the decoding made of them, the bytes must be the ones sealed.
  const digest = await hashing.finish();
  const blobOk = digest === projectionDigest;
  ctx.recordBlob(projectionDigest, blobOk ? 'ok' : 'altered');
  if (!blobOk) {
    add(
      entry.seq,
      'blob-digest',
      'error',
      `entry seq ${entry.seq}: blob projection (${projectionDigest}) does not match its digest (the content was altered)`,
    );
    fail('recompute', 'figures not recomputed: the projection blob is missing or altered');
    return outcome;
  }
  if (failure !== null || recomputed === undefined) {
    fail('recompute', `the recomputation from the projection failed: ${errorMessage(failure)}`);
    return outcome;
  }
  run.recomputed = true;
  outcome.results = recomputed.results;
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

  // 2. The sealed results and subject lists, figure by figure.
  if ((await ctx.checkBlob(resultsDigest, declaredBytes(payload['results']))) === 'ok') {
    const sealedResults = await readJsonBlob(ctx.dir, resultsDigest, declaredBytes(payload['results']));
    if (sealedResults === undefined)
      fail('results', 'the sealed results document is not valid JSON (or nests too deeply)');
    else for (const message of compareResults(sealedResults, recomputed.results)) fail('results', message);
  }
  if ((await ctx.checkBlob(subjectsDigest, declaredBytes(payload['subjects']))) === 'ok') {
    const sealedSubjects = await readJsonBlob(ctx.dir, subjectsDigest, declaredBytes(payload['subjects']));
    if (sealedSubjects === undefined)
      fail('subjects', 'the sealed subject lists are not valid JSON (or nest too deeply)');
    else
      for (const message of compareSubjects(sealedSubjects, recomputed.subjects)) fail('subjects', message);
  }
  // 3. Before the evidence seal, the submitted bytes were part of this entry.
  if (legacy && isDigest(submissionDigest)) {
    errors += await verifySubmissionBytes(ctx, {
      seq: entry.seq,
      prefix,
      digest: submissionDigest,
      maxBytes: declaredBytes(payload['submission']),
      recomputed: outcome,
      softwareVersion: payload['softwareVersion'],
      seal: null,
    });
  }
  run.ok = errors === 0;
  return outcome;
}

/**
 * Compares the sealed submission bytes with the recomputation and, for runs sealed with the evidence
 * seal, checks that the Bundle's `meta` and every MeasureReport carry it. Returns the errors found.
 */
export async function verifySubmissionBytes(
  ctx: RunCheckContext,
  input: {
    seq: number;
    prefix: string;
    digest: Digest;
    maxBytes: number | undefined;
    recomputed: RecomputedRun;
    softwareVersion: unknown;
    seal: { hash: string; previous: string } | null;
  },
): Promise<number> {
  const { add, rules } = ctx;
  let errors = 0;
  const fail = (check: VerificationCheck, message: string): void => {
    errors += 1;
    add(input.seq, check, 'error', `${input.prefix}: ${message}`);
  };
  if ((await ctx.checkBlob(input.digest, input.maxBytes)) !== 'ok') return 1;
  const body = await readJsonBlob(ctx.dir, input.digest, input.maxBytes);
  if (input.seal !== null) {
    for (const message of sealProblems(body, input.seal)) fail('evidence-seal', message);
  }
  const results = input.recomputed.results;
  if (results === null) return errors;
  const submitted = body === undefined ? null : extractMeasureReports(body);
  if (submitted === null) {
    add(
      input.seq,
      'submission',
      'warning',
      `${input.prefix}: the sealed submission bytes hold no FHIR MeasureReport: its figures were not cross-checked`,
    );
    return errors;
  }
  let expected: SubmittedReport[] | null = null;
  if (rules?.toMeasureReports !== undefined) {
    try {
      expected = extractMeasureReports(rules.toMeasureReports(results)) ?? [];
    } catch (error) {
      fail('submission', `the expected MeasureReports could not be rebuilt: ${errorMessage(error)}`);
    }
  }
  const messages = compareSubmission(submitted, results, expected);
  for (const message of messages) fail('submission', message);
  if (input.recomputed.scopeAbsent && messages.some((m) => m.endsWith('is missing from the submission'))) {
    add(
      input.seq,
      'submission',
      'info',
      `${input.prefix}: sealed by esms ${String(input.softwareVersion)} before runs sealed their scope: ` +
        'its results hold every ESSMS of the data while only the configured ones were submitted, so ' +
        'this run cannot be verified; a new esms run-once seals the same figures in a run that verifies',
    );
  }
  return errors;
}

/** Where the submitted bytes do not carry the run's seal (the Bundle's meta and every MeasureReport). */
function sealProblems(body: unknown, seal: { hash: string; previous: string }): string[] {
  if (body === undefined)
    return ['the sealed submission bytes are not valid JSON: they carry no evidence seal'];
  const problems: string[] = [];
  const check = (where: string, element: unknown): void => {
    const carried = sealCarried(element);
    if (carried.hash !== seal.hash) {
      problems.push(
        `${where} carries the evidence seal ${carried.hash ?? '(none)'}, not the hash of its run-sealed entry (${seal.hash})`,
      );
    }
    if (carried.previous !== seal.previous) {
      problems.push(
        `${where} carries ${carried.previous ?? 'no'} previous-entry hash, not the run-sealed entry's prevHash (${seal.previous})`,
      );
    }
  };
  if (field(body, 'resourceType') === 'Bundle') check('the submitted Bundle (meta)', field(body, 'meta'));
  const entries = field(body, 'resourceType') === 'Bundle' ? asArray(field(body, 'entry')) : [];
  entries.forEach((entry, index) => {
    const resource = field(entry, 'resource');
    if (field(resource, 'resourceType') === 'MeasureReport')
      check(`submitted MeasureReport #${index + 1}`, resource);
  });
  if (entries.length === 0 && problems.length === 0)
    problems.push(`the submission holds no MeasureReport with ${EVIDENCE_SEAL_URL}`);
  return problems;
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

/** A blob's chunks, hashed on the way; `finish()` drains what the consumer left and gives the digest. */
function hashingChunks(
  stream: AsyncIterable<unknown> & { destroy(): void },
  maxBytes: number,
): { chunks: AsyncGenerator<Buffer>; finish: () => Promise<Digest> } {
  const hash = createHash('sha256');
  let bytes = 0;
  let overflow = false;
  const iterator = stream[Symbol.asyncIterator]();
  const pull = async (): Promise<Buffer | null> => {
    if (overflow) return null;
    const next = await iterator.next();
    if (next.done === true) return null;
    const buffer = next.value as Buffer;
    bytes += buffer.length;
    if (bytes > maxBytes) {
      overflow = true;
      hash.update('overflow');
      return null;
    }
    hash.update(buffer);
    return buffer;
  };
  async function* chunks(): AsyncGenerator<Buffer> {
    for (;;) {
      const chunk = await pull();
      if (chunk === null) return;
      yield chunk;
    }
  }
  return {
    chunks: chunks(),
    async finish() {
      try {
        while ((await pull()) !== null) {
          // drain: the digest is of every byte, not just those the decoder read
        }
      } catch {
        overflow = true;
        hash.update('unreadable');
      } finally {
        stream.destroy();
      }
      return toDigest(hash.digest('hex'));
    },
  };
}

async function* ndjsonFacts(source: AsyncIterable<string>): AsyncGenerator<Fact> {
  let lineNumber = 0;
  for await (const line of source) {
    lineNumber += 1;
    if (line === '') continue;
    const parsed = parseEvidenceJson(line);
    if (!parsed.ok || !isRecord(parsed.value))
      throw new Error(
        `projection line ${lineNumber} is not a fact (${parsed.ok ? 'not an object' : parsed.reason})`,
      );
    yield parsed.value;
  }
}

/** The same facts, counted as they are consumed (a plain iterator: no generator per fact). */
function counting(facts: AsyncIterable<Fact>, onFact: () => void): AsyncIterable<Fact> {
  const source = facts[Symbol.asyncIterator]();
  const iterator: AsyncIterator<Fact> = {
    next: () =>
      source.next().then((result) => {
        if (result.done !== true) onFact();
        return result;
      }),
    return: async () => {
      await source.return?.();
      return { done: true, value: undefined };
    },
  };
  return { [Symbol.asyncIterator]: () => iterator };
}
