import { existsSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { compareWithBaseline, formatMismatchTable, type Mismatch } from './compare-results.js';
import type { BaselineResult } from './duckdb-baseline.js';
import type { DatasetSize } from './establishments.js';
import { ToolsError } from './errors.js';
import { generateDataset, type GenerateSummary } from './generate.js';
import { failedEvidence, measureEvidence, type EvidenceFigures } from './evidence-bench.js';
import { median } from './median.js';
import { detectRssProbe, runMeasuredNode, type MeasuredRun, type RssProbe } from './measured-run.js';

export const DEFAULT_BENCH_SIZES: readonly DatasetSize[] = ['M', 'L'];
export const DEFAULT_BENCH_RUNS = 3;

export interface BenchOptions {
  sizes: readonly DatasetSize[];
  runs: number;
  seed: number;
  measureDate: string;
  /** Where datasets live (`<dataDir>/<size>-<seed>`), generated when missing. */
  dataDir: string;
  /** Repository root: the engine is `<root>/packages/agent/dist/main.js`. */
  repoRoot: string;
}

/** Median figures of one contender on one size. */
export interface ContenderFigures {
  ok: boolean;
  seconds: number | null;
  peakRssMb: number | null;
  resourcesPerSecond: number | null;
  runsSeconds: number[];
  error: string | null;
}

export interface SizeReport {
  size: DatasetSize;
  resources: number;
  persons: number;
  establishments: number;
  /** `esms compute` as shipped: reader threads on every core (at most 4). */
  engine: ContenderFigures;
  /** `esms compute --threads 1`: the same engine in one thread, the floor's process model exactly. */
  engineOneThread: ContenderFigures;
  floor: ContenderFigures;
  duckdb: ContenderFigures;
  engineOverFloor: number | null;
  engineOneThreadOverFloor: number | null;
  engineOverDuckdb: number | null;
  /** `esms run-once` (read, compute, seal the evidence) over `esms compute`, both of this size (issue 13). */
  runOnceOverCompute: number | null;
  /** `esms verify` of that run over `esms compute`. */
  verifyOverCompute: number | null;
  /** Bytes one run added to the evidence store (also in `evidence`). */
  evidenceBytesPerRun: number | null;
  /** `null` when the engine or the baseline did not produce results to compare. */
  agreement: { checkedEstablishments: number; mismatches: Mismatch[] } | null;
  /** Whether `esms compute` printed the same document with and without reader threads. */
  threadsAgree: boolean | null;
  floorReader: string | null;
  /** One `esms run-once` sealed into a fresh store (`ars: null`), then `esms verify` on it (issue 10 §3). */
  evidence: EvidenceFigures;
}

export interface BenchReport {
  measureDate: string;
  seed: number;
  runs: number;
  rssProbe: RssProbe;
  node: string;
  sizes: SizeReport[];
  /** L over M: how time and memory grow for a 10× larger input (1 would be flat, 10 linear). */
  growthMtoL: {
    engineTime: number | null;
    engineMemory: number | null;
    floorTime: number | null;
    duckdbTime: number | null;
    duckdbMemory: number | null;
  } | null;
}

const ratio = (a: number | null, b: number | null): number | null =>
  a === null || b === null || b === 0 ? null : a / b;
const round = (value: number | null, digits: number): number | null =>
  value === null ? null : Number(value.toFixed(digits));

/** The repository root, from this file's place in `packages/tools/dist`. */
export function defaultRepoRoot(): string {
  return resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
}

/** Generates the dataset of a size unless a complete one (its `expected-sizes.json`, written last) exists. */
export async function ensureDataset(
  options: BenchOptions,
  size: DatasetSize,
  log: (line: string) => void,
): Promise<{ dir: string; summary: GenerateSummary }> {
  const dir = join(options.dataDir, `${size}-${options.seed}`);
  const summaryFile = join(dir, 'expected-sizes.json');
  if (existsSync(summaryFile)) {
    const summary = JSON.parse(await readFile(summaryFile, 'utf8')) as GenerateSummary;
    if (summary.measureDate === options.measureDate) return { dir, summary };
  }
  log(`generating ${size} (seed ${options.seed}) into ${dir} …`);
  await mkdir(options.dataDir, { recursive: true });
  const summary = await generateDataset({
    size,
    seed: options.seed,
    outDir: dir,
    measureDate: options.measureDate,
  });
  log(`  ${summary.total} resources, ${summary.persons} persons`);
  return { dir, summary };
}

async function measure(
  args: readonly string[],
  runs: number,
  stdoutFile: string,
  cwd: string,
  resources: number,
): Promise<{ figures: ContenderFigures; last: MeasuredRun | null }> {
  const seconds: number[] = [];
  const rss: number[] = [];
  let last: MeasuredRun | null = null;
  for (let i = 0; i < runs; i++) {
    const run = await runMeasuredNode(args, stdoutFile, cwd);
    if (run.exitCode !== 0) {
      const error = `exit ${String(run.exitCode)}: ${run.stderrTail.trim().split('\n').slice(-3).join(' | ')}`;
      return {
        figures: {
          ok: false,
          seconds: null,
          peakRssMb: null,
          resourcesPerSecond: null,
          runsSeconds: seconds,
          error,
        },
        last: run,
      };
    }
    last = run;
    seconds.push(run.wallMs / 1000);
    if (run.peakRssKb !== null) rss.push(run.peakRssKb / 1024);
  }
  const s = median(seconds);
  return {
    figures: {
      ok: true,
      seconds: round(s, 3),
      peakRssMb: round(median(rss), 1),
      resourcesPerSecond: s === null || s === 0 ? null : Math.round(resources / s),
      runsSeconds: seconds.map((x) => Number(x.toFixed(3))),
      error: null,
    },
    last,
  };
}

/**
 * Runs the benchmark: for each size, the ENGINE (`esms compute`), the FLOOR (read + JSON.parse with the
 * engine's reader) and the PEER (DuckDB SQL), each `runs` times in a fresh child process, medians kept;
 * then checks that the engine and DuckDB agree on every numerator and denominator.
 */
export async function runBench(options: BenchOptions, log: (line: string) => void): Promise<BenchReport> {
  if (!Number.isInteger(options.runs) || options.runs < 1)
    throw new ToolsError('bad-usage', 'runs must be a positive integer');
  const toolsDist = dirname(fileURLToPath(import.meta.url));
  const engineMain = join(options.repoRoot, 'packages', 'agent', 'dist', 'main.js');
  const rssProbe = detectRssProbe();
  log(
    `peak RSS measured with ${rssProbe === 'gnu-time' ? '/usr/bin/time -f %M' : 'a --import preload (process.resourceUsage().maxRSS)'}`,
  );
  const sizes: SizeReport[] = [];
  for (const size of options.sizes) {
    const { dir, summary } = await ensureDataset(options, size, log);
    const resources = summary.total;
    const outDir = join(options.dataDir, 'runs');
    await mkdir(outDir, { recursive: true });
    log(`${size}: ${resources} resources — engine ×${options.runs}`);
    const engine = await measure(
      [engineMain, 'compute', '--input', dir, '--measure-date', options.measureDate, '--format', 'json'],
      options.runs,
      join(outDir, `${size}-engine.json`),
      options.repoRoot,
      resources,
    );
    log(`${size}: engine in one thread ×${options.runs}`);
    const engineOneThread = await measure(
      [
        engineMain,
        'compute',
        '--input',
        dir,
        '--measure-date',
        options.measureDate,
        '--format',
        'json',
        '--threads',
        '1',
      ],
      options.runs,
      join(outDir, `${size}-engine-1-thread.json`),
      options.repoRoot,
      resources,
    );
    log(`${size}: floor ×${options.runs}`);
    const floor = await measure(
      [join(toolsDist, 'floor-main.js'), '--input', dir],
      options.runs,
      join(outDir, `${size}-floor.json`),
      options.repoRoot,
      resources,
    );
    log(`${size}: duckdb ×${options.runs}`);
    const duckdb = await measure(
      [join(toolsDist, 'duckdb-main.js'), '--input', dir, '--measure-date', options.measureDate],
      options.runs,
      join(outDir, `${size}-duckdb.json`),
      options.repoRoot,
      resources,
    );
    let agreement: SizeReport['agreement'] = null;
    if (engine.figures.ok && duckdb.figures.ok) {
      const engineDoc = JSON.parse(await readFile(join(outDir, `${size}-engine.json`), 'utf8')) as unknown;
      const baseline = JSON.parse(
        await readFile(join(outDir, `${size}-duckdb.json`), 'utf8'),
      ) as BaselineResult;
      const mismatches = compareWithBaseline(engineDoc, baseline);
      agreement = { checkedEstablishments: baseline.establishments.length, mismatches };
      if (mismatches.length > 0)
        log(`${size}: ENGINE AND DUCKDB DISAGREE\n${formatMismatchTable(mismatches)}`);
      else
        log(
          `${size}: engine and DuckDB agree on ${baseline.establishments.length} establishments × 5 indicators`,
        );
    }
    // The shipped engine (threads) and the one-thread engine must give the very same document.
    let threadsAgree: boolean | null = null;
    if (engine.figures.ok && engineOneThread.figures.ok) {
      const [threaded, single] = await Promise.all(
        [`${size}-engine.json`, `${size}-engine-1-thread.json`].map((f) => readFile(join(outDir, f), 'utf8')),
      );
      threadsAgree = threaded === single;
      if (!threadsAgree) log(`${size}: THE THREADED AND ONE-THREAD ENGINES DISAGREE`);
    }
    let floorReader: string | null = null;
    if (floor.figures.ok) {
      floorReader =
        (JSON.parse(await readFile(join(outDir, `${size}-floor.json`), 'utf8')) as { reader?: string })
          .reader ?? null;
    }
    log(`${size}: one run sealed (esms run-once, no ARS), then esms verify, ×${options.runs}`);
    const establishments = engine.figures.ok
      ? (
          JSON.parse(await readFile(join(outDir, `${size}-engine.json`), 'utf8')) as {
            establishments: { finess: string }[];
          }
        ).establishments.map((e) => e.finess)
      : [];
    const evidence: EvidenceFigures =
      establishments.length === 0
        ? failedEvidence('no establishment computed')
        : await measureEvidence({
            engineMain,
            inputDir: dir,
            establishments,
            measureDate: options.measureDate,
            workDir: join(outDir, `${size}-evidence`),
            cwd: options.repoRoot,
            runs: options.runs,
          });
    if (evidence.ok)
      log(
        `${size}: ${evidence.evidenceBytesPerRun} evidence bytes for one run; sealed in ${evidence.sealSeconds} s, verified in ${evidence.verifySeconds} s`,
      );
    else log(`${size}: EVIDENCE MEASUREMENT FAILED: ${evidence.error ?? ''}`);
    sizes.push({
      size,
      resources,
      persons: summary.persons,
      establishments: summary.establishments,
      engine: engine.figures,
      engineOneThread: engineOneThread.figures,
      floor: floor.figures,
      duckdb: duckdb.figures,
      engineOverFloor: round(ratio(engine.figures.seconds, floor.figures.seconds), 2),
      engineOneThreadOverFloor: round(ratio(engineOneThread.figures.seconds, floor.figures.seconds), 2),
      engineOverDuckdb: round(ratio(engine.figures.seconds, duckdb.figures.seconds), 2),
      runOnceOverCompute: round(ratio(evidence.sealSeconds, engine.figures.seconds), 2),
      verifyOverCompute: round(ratio(evidence.verifySeconds, engine.figures.seconds), 2),
      evidenceBytesPerRun: evidence.evidenceBytesPerRun,
      agreement,
      threadsAgree,
      floorReader,
      evidence,
    });
  }
  const m = sizes.find((s) => s.size === 'M');
  const l = sizes.find((s) => s.size === 'L');
  const growthMtoL =
    m !== undefined && l !== undefined
      ? {
          engineTime: round(ratio(l.engine.seconds, m.engine.seconds), 2),
          engineMemory: round(ratio(l.engine.peakRssMb, m.engine.peakRssMb), 2),
          floorTime: round(ratio(l.floor.seconds, m.floor.seconds), 2),
          duckdbTime: round(ratio(l.duckdb.seconds, m.duckdb.seconds), 2),
          duckdbMemory: round(ratio(l.duckdb.peakRssMb, m.duckdb.peakRssMb), 2),
        }
      : null;
  return {
    measureDate: options.measureDate,
    seed: options.seed,
    runs: options.runs,
    rssProbe,
    node: process.version,
    sizes,
    growthMtoL,
  };
}

/** The human table: one row per size. */
export function formatBenchTable(report: BenchReport): string {
  const f = (value: number | null, digits = 2): string => (value === null ? '—' : value.toFixed(digits));
  const header = [
    'size',
    'resources',
    'engine s',
    '1-thread s',
    'floor s',
    'duckdb s',
    'engine/floor',
    '1-thread/floor',
    'engine/duckdb',
    'resources/s',
    'peak RSS MB',
    'floor MB',
    'duckdb MB',
    'run-once s',
    'run-once/compute',
    'run-once MB',
    'evidence MB/run',
    'verify s',
    'verify/compute',
    'verify MB',
    'agree',
  ];
  const rows = report.sizes.map((s) => [
    s.size,
    String(s.resources),
    s.engine.ok ? f(s.engine.seconds) : 'failed',
    s.engineOneThread.ok ? f(s.engineOneThread.seconds) : 'failed',
    f(s.floor.seconds),
    f(s.duckdb.seconds),
    f(s.engineOverFloor),
    f(s.engineOneThreadOverFloor),
    f(s.engineOverDuckdb),
    s.engine.resourcesPerSecond === null ? '—' : String(s.engine.resourcesPerSecond),
    f(s.engine.peakRssMb, 0),
    f(s.floor.peakRssMb, 0),
    f(s.duckdb.peakRssMb, 0),
    f(s.evidence.sealSeconds),
    f(s.runOnceOverCompute),
    f(s.evidence.sealPeakRssMb, 0),
    s.evidence.evidenceBytesPerRun === null ? '—' : (s.evidence.evidenceBytesPerRun / 1e6).toFixed(1),
    f(s.evidence.verifySeconds),
    f(s.verifyOverCompute),
    f(s.evidence.verifyPeakRssMb, 0),
    s.agreement === null
      ? '—'
      : s.agreement.mismatches.length === 0
        ? 'yes'
        : `NO (${s.agreement.mismatches.length})`,
  ]);
  const all = [header, ...rows];
  const widths = header.map((_, i) => Math.max(...all.map((r) => (r[i] ?? '').length)));
  return all.map((r) => r.map((cell, i) => cell.padStart(widths[i] ?? 0)).join('  ')).join('\n');
}

/** The exit code of the bench: 1 when the engine and DuckDB disagree or a contender failed. */
export function benchExitCode(report: BenchReport): number {
  const bad = report.sizes.some(
    (s) =>
      !s.engine.ok ||
      !s.engineOneThread.ok ||
      s.threadsAgree === false ||
      !s.floor.ok ||
      !s.duckdb.ok ||
      !s.evidence.ok ||
      (s.agreement !== null && s.agreement.mismatches.length > 0),
  );
  return bad ? 1 : 0;
}
