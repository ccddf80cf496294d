/**
 * `esms verify` recomputing in worker threads (issue 13): the same report as one thread, on an untouched
 * store and on every kind of tampering, whichever part of the projection a worker finds it in.
 */
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { recomputeFromProjection, toMeasureReports, type Fact as SdkFact } from '@esms-numerique/sdk';
import type { ResourceLimits } from 'node:worker_threads';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DUI_SMALL_NDJSON } from '../daemon/__fixtures__/daemon-harness.js';
import { computeFromSources } from '../runner/compute-from-source.js';
import { createFileSource } from '../sources/file-source.js';
import { buildSubmission } from '../submit/build-submission.js';
import { putBlob } from './blobs.js';
import type { Digest } from './canonical-json.js';
import { createProjectionWriter } from './projection-writer.js';
import { measuresDigest, sdkRules } from './recompute.js';
import { decodeColumnar } from './projection-codec.js';
import { recomputeInThreads, verifyThreadsFor } from './verify-threads.js';
import { offsetLines } from './text-lines.js';
import { rangeOf } from './verify-ranges.js';
import { sealRunAndSubmission } from './seal.js';
import { openEvidenceStore, type FileEvidenceStore } from './store.js';
import { pseudonymiseSubjectLists } from './subject-lists.js';
import type { VerificationReport } from './verification-report.js';
import { verifyEvidence } from './verify.js';
import { overwriteBlob, readBlobBytes, readEntries, rewriteAndResign } from './__fixtures__/tamper.js';
import { createPseudonymiser } from './pseudonymiser.js';

const MEASURE_DATE = '2024-04-01';

let input: string;
let template: string;
let templateStore: FileEvidenceStore;
let dir: string;

/**
 * The small DUI fixture, with one Type/id twice (the latest `lastUpdated` wins, so the parts' merge order
 * matters) and a bad line, read by three reader threads in 300-byte slices: a projection of many parts.
 */
beforeAll(async () => {
  input = await mkdtemp(join(tmpdir(), 'esms-verify-threads-input-'));
  for (const type of ['Organization', 'Patient', 'Encounter', 'EpisodeOfCare', 'Appointment', 'CarePlan']) {
    const text = await readFile(join(DUI_SMALL_NDJSON, `${type}.000.ndjson`), 'utf8').catch(() => null);
    if (text === null) continue;
    const lines = text.split('\n').filter((l) => l.length > 0);
    if (type === 'Encounter') {
      const first = lines[0] as string;
      lines.push(first.replace(/"lastUpdated":"[^"]*"/, '"lastUpdated":"2024-06-01T00:00:00Z"'));
      lines.splice(1, 0, first);
      lines.splice(Math.floor(lines.length / 2), 0, '{"resourceType": "Encounter", oops');
    }
    await writeFile(join(input, `${type}.000.ndjson`), `${lines.join('\n')}\n`);
  }
  template = await mkdtemp(join(tmpdir(), 'esms-verify-threads-'));
  templateStore = await openEvidenceStore(template, {
    create: true,
    now: () => new Date('2024-04-01T03:00:00Z'),
  });
  const secret = templateStore.keys.pseudonymSecret;
  const writer = createProjectionWriter(templateStore);
  const computeOptions = { measureDate: MEASURE_DATE };
  const computed = await computeFromSources([createFileSource({ paths: [input] })], computeOptions, {
    readerThreads: 3,
    sliceBytes: 300,
    projection: {
      pseudonymSecret: secret,
      sealedInputRoots: [input],
      write: (fact) => writer.write(fact),
      appendSegment: (segment) => writer.appendSegment(segment),
    },
  });
  const projection = await writer.finish();
  const { results, subjects } = computed.computation;
  await sealRunAndSubmission(
    templateStore,
    {
      runId: 'run-threads',
      submissionId: 'sub-threads',
      softwareVersion: '0.1.0',
      configDigest: `sha256:${'0'.repeat(64)}`,
      measuresDigest: measuresDigest(),
      computeOptions,
      measureDate: MEASURE_DATE,
      periods: Object.fromEntries(results.establishments.map((e) => [e.finess, e.period])),
      scope: null,
      projection,
      results,
      subjects: pseudonymiseSubjectLists(subjects, createPseudonymiser(secret)),
    },
    (seal) => ({
      body: buildSubmission(results, toMeasureReports(results), seal).body,
    }),
  );
});
afterAll(async () => {
  await rm(input, { recursive: true, force: true });
  await rm(template, { recursive: true, force: true });
});
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'esms-verify-threads-copy-'));
  await cp(template, dir, { recursive: true });
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const projectionOf = async (): Promise<{ digest: Digest; bytes: number }> =>
  (await readEntries(dir))[0]!.payload['projection'] as { digest: Digest; bytes: number };

async function projectionLines(): Promise<string[]> {
  return (await readBlobBytes(dir, (await projectionOf()).digest)).toString('utf8').split('\n');
}

/** The lines of the projection that start a part (a block that empties the dictionary), by index. */
/** The range (verify-ranges.ts) each line falls in with `threads` threads, by line index. */
async function rangesOf(lines: readonly string[], threads = 3): Promise<number[]> {
  const bytes = Buffer.from(lines.join('\n'));
  const ranges: number[] = [];
  let range = 0;
  async function* one(): AsyncGenerator<Buffer> {
    await Promise.resolve();
    yield bytes;
  }
  for await (const line of offsetLines(one())) {
    range = rangeOf(line, range, bytes.length, threads);
    ranges.push(range);
  }
  return ranges;
}

/** The first line of each range a worker decodes (ranges 1 and 2 of three). */
async function workerRangeStarts(lines: readonly string[]): Promise<number[]> {
  const ranges = await rangesOf(lines);
  return [1, 2].map((range) => ranges.indexOf(range));
}

function partStarts(lines: readonly string[]): number[] {
  return lines.flatMap((line, i) => (i > 1 && /^\{"n":\d+,"reset":true,/.test(line) ? [i] : []));
}

/** Replaces the projection with `lines` under its new digest, and re-signs the chain (a forger with the key). */
async function resealProjection(lines: readonly string[], encoding?: string): Promise<void> {
  const forged = await putBlob(dir, lines.join('\n'));
  await rewriteAndResign(dir, templateStore.keys.privateKey, (entries) => {
    const entry = entries[0]!;
    entry.payload = {
      ...entry.payload,
      projection: {
        ...(entry.payload['projection'] as object),
        ...forged,
        ...(encoding === undefined ? {} : { encoding }),
      },
    };
  });
}

/**
 * The report with one thread (straight into the engine, verify-here.ts), with `threads`, and through the
 * rules' `recomputeFromProjection` (the path of rules that cannot merge): they must be equal.
 */
async function bothWays(threads = 3): Promise<VerificationReport> {
  const one = await verifyEvidence(dir, { verifyThreads: 1 });
  const many = await verifyEvidence(dir, { verifyThreads: threads });
  const streamed = await verifyEvidence(dir, { rules: { ...sdkRules(), mergingEngine: undefined } });
  expect(many).toEqual(one);
  expect(streamed).toEqual(one);
  return many;
}

/** The errors, less the one a re-signed chain always has (its submission names the run's old hash). */
const errors = (report: VerificationReport) =>
  report.findings
    .filter((f) => f.severity === 'error')
    .map((f) => f.message)
    .filter((m) => m !== 'entry seq 2: the sealed submission names no run-sealed entry before it');

async function* linesOf(lines: readonly string[]): AsyncGenerator<string> {
  await Promise.resolve();
  yield* lines;
}

/** `recomputeInThreads` on these projection lines (read back from a file by the workers). */
async function inThreads(
  lines: readonly string[],
  threads = 3,
  workersRead?: string,
  resourceLimits?: ResourceLimits,
) {
  const bytes = Buffer.from(lines.join('\n'));
  const path = join(dir, 'projection.txt');
  await writeFile(path, workersRead ?? bytes);
  async function* chunks(): AsyncGenerator<Buffer> {
    await Promise.resolve();
    // Chunks that cut lines anywhere.
    for (let at = 0; at < bytes.length; at += 777) yield bytes.subarray(at, at + 777);
  }
  return recomputeInThreads(chunks(), {
    blob: { path, compressed: false },
    bytes: bytes.length,
    expected: 'esms-columnar-3',
    options: { measureDate: MEASURE_DATE },
    mergingEngine: sdkRules().mergingEngine!,
    threads,
    ...(resourceLimits === undefined ? {} : { resourceLimits }),
  });
}

describe('verifyThreadsFor', () => {
  it('keeps a small projection, or any on two cores, in one thread; a large one gets a thread per 24 MB', () => {
    expect(verifyThreadsFor(0, 8)).toBe(1);
    expect(verifyThreadsFor(10 * 1024 * 1024, 4)).toBe(1); // about M: starting a thread would not pay
    expect(verifyThreadsFor(103_480_702, 2)).toBe(1); // L on two cores: one thread is cheaper (issue 13)
    expect(verifyThreadsFor(103_480_702, 3)).toBe(2);
    expect(verifyThreadsFor(103_480_702, 8)).toBe(4);
  });
});

describe('esms verify in threads', () => {
  it('gives the report of one thread on an untouched projection of many parts', async () => {
    const lines = await projectionLines();
    expect(partStarts(lines).length).toBeGreaterThanOrEqual(4);
    // Both workers have a range of their own to decode.
    const starts = await workerRangeStarts(lines);
    expect(starts[0]).toBeGreaterThan(1);
    expect(starts[1]).toBeGreaterThan(starts[0]!);
    for (const threads of [2, 3]) {
      const report = await bothWays(threads);
      expect(report.ok).toBe(true);
      expect(report.runs.map((r) => [r.recomputed, r.ok])).toEqual([[true, true]]);
    }
  });

  it('a flipped byte in a later part: the blob digest fails, as with one thread', async () => {
    const lines = await projectionLines();
    const at = (await workerRangeStarts(lines))[1]!;
    const line = lines[at]!;
    lines[at] = line.replace('"groups"', '"groupz"');
    const digest = (await projectionOf()).digest;
    await overwriteBlob(dir, digest, Buffer.from(lines.join('\n')));
    const report = await bothWays();
    expect(errors(report)).toEqual([
      `entry seq 1: blob projection (${digest}) does not match its digest (the content was altered)`,
      'entry seq 1 (run run-threads): figures not recomputed: the projection blob is missing or altered',
    ]);
  });

  it('a forged block in a later part, re-signed: the worker names its line as one thread does', async () => {
    const lines = await projectionLines();
    const at = (await workerRangeStarts(lines))[1]!;
    lines[at] = lines[at]!.replace(/^\{"n":(\d+),/, (_m, n: string) => `{"n":${Number(n) + 1},`);
    await resealProjection(lines);
    const report = await bothWays();
    expect(errors(report)).toEqual([
      `entry seq 1 (run run-threads): the recomputation from the projection failed: projection line ${at + 1}: the groups do not hold the block's fact count`,
    ]);
  });

  it('two forged parts: the first in input order is the one reported', async () => {
    const lines = await projectionLines();
    const [early, late] = (await workerRangeStarts(lines)) as [number, number];
    lines[late] = lines[late]!.replace('"groups":[', '"groups":7,"x":[');
    lines[early] = lines[early]!.replace(/"new":\["/, '"new":["A');
    await resealProjection(lines);
    const report = await bothWays();
    expect(errors(report)).toEqual([
      `entry seq 1 (run run-threads): the recomputation from the projection failed: projection line ${early + 1}: bad pseudonym list`,
    ]);
  });

  it('a line that looks like a new dictionary but is not one (a later "reset": false) is decoded in one piece', async () => {
    const lines = await projectionLines();
    const at = (await workerRangeStarts(lines))[0]!;
    lines[at] = lines[at]!.replace(/\}$/, ',"reset":false}');
    expect(await inThreads(lines)).toBe('cut');
    await resealProjection(lines);
    const report = await bothWays();
    // References are relative to the dictionary's size, so the old dictionary gives the same facts.
    expect(errors(report)).toEqual([]);
    expect(report.runs.map((r) => r.recomputed)).toEqual([true]);
  });

  it('a blob the workers read otherwise than the main thread (changed between two reads) is decoded in one piece', async () => {
    const lines = await projectionLines();
    const changed = [...lines];
    const at = (await workerRangeStarts(lines))[1]!;
    changed[at] = changed[at]!.replace(/^\{"n":(\d+),/, (_m, n: string) => `{"n":${Number(n) + 1},`);
    // The workers' copy has a forged block the main thread's bytes do not: not reported, decoded again.
    expect(await inThreads(lines, 3, changed.join('\n'))).toBe('cut');
    // Or a block other than the main thread's, which decodes.
    const flipped = lines.join('\n').replace(/"n":(\d+),"reset":true,/g, '"n":$1,"reset":true, ');
    expect(await inThreads(lines, 3, flipped)).toBe('cut');
  });

  it('a worker that stops (here out of memory) leaves the projection to be decoded in one piece', async () => {
    const lines = await projectionLines();
    expect(
      await inThreads(lines, 3, undefined, { maxOldGenerationSizeMb: 1, maxYoungGenerationSizeMb: 1 }),
    ).toBe('cut');
  });

  it('recomputeInThreads itself: the figures and fact count of one engine fed the whole projection', async () => {
    const lines = await projectionLines();
    const one = await recomputeFromProjection(decodeColumnar(linesOf(lines)) as AsyncIterable<SdkFact>, {
      measureDate: MEASURE_DATE,
    });
    const count = (await readEntries(dir))[0]!.payload['projection'] as { count: number };
    for (const threads of [2, 3]) {
      const threaded = await inThreads(lines, threads);
      if (threaded === 'cut') throw new Error('unexpected cut');
      expect(threaded.facts).toBe(count.count);
      expect(threaded.computation).toEqual(one);
    }
  });

  it('stores sealed in the older encodings (esms-columnar-1, -2, NDJSON) still verify, on every path', async () => {
    const facts: Record<string, unknown>[] = [];
    for await (const fact of decodeColumnar(linesOf(await projectionLines()))) facts.push({ ...fact });
    const columns = (fact: Record<string, unknown>): unknown[] =>
      Object.entries(fact)
        .filter(([field]) => field !== 'k')
        .map(([field, value]) => [field, 'v', null, [value]]);
    // One fact per block, every field written as values: what the decoders of those versions read.
    const older: Record<string, string[]> = {
      'esms-columnar-1': [
        '{"format":"esms-columnar-1"}',
        ...facts.map((f) => JSON.stringify({ k: f['k'], n: 1, new: ['', []], cols: columns(f) })),
      ],
      'esms-columnar-2': [
        '{"format":"esms-columnar-2"}',
        ...facts.map((f) =>
          JSON.stringify({ n: 1, seq: null, new: ['', []], groups: [[f['k'], 1, columns(f)]] }),
        ),
      ],
      ndjson: facts.map((f) => JSON.stringify(f)),
    };
    for (const [encoding, lines] of Object.entries(older)) {
      await rm(dir, { recursive: true, force: true });
      await cp(template, dir, { recursive: true });
      await resealProjection(lines, encoding);
      const report = await bothWays(2);
      expect(errors(report)).toEqual([]);
      expect(report.runs.map((r) => [r.recomputed, r.ok])).toEqual([[true, true]]);
    }
  });

  it('a forged header line fails on the main thread with the one-thread message', async () => {
    const lines = await projectionLines();
    lines[0] = '{"format":"esms-columnar-2"}';
    await resealProjection(lines);
    const report = await bothWays();
    expect(errors(report)).toEqual([
      'entry seq 1 (run run-threads): the recomputation from the projection failed: projection line 1: the header says esms-columnar-2, the sealed entry esms-columnar-3',
    ]);
  });
});
