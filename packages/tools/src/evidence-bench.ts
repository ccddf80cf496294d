import { mkdir, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { median } from './median.js';
import { runMeasuredNode } from './measured-run.js';

/** What one sealed run costs in evidence, and what verifying it costs. */
export interface EvidenceFigures {
  ok: boolean;
  /** Bytes the run added to the evidence store (journal and blobs, as stored: compressed). */
  evidenceBytesPerRun: number | null;
  /** `esms run-once` (pull, compute, seal; `ars: null`), wall time in seconds. */
  sealSeconds: number | null;
  /** Peak RSS of that `esms run-once`, in MB. */
  sealPeakRssMb: number | null;
  /** `esms verify` of the store (every digest and signature, the run recomputed), wall time in seconds. */
  verifySeconds: number | null;
  verifyPeakRssMb: number | null;
  error: string | null;
}

/** The figures of an evidence measurement that could not be made, saying why. */
export function failedEvidence(error: string): EvidenceFigures {
  return {
    ok: false,
    evidenceBytesPerRun: null,
    sealSeconds: null,
    sealPeakRssMb: null,
    verifySeconds: null,
    verifyPeakRssMb: null,
    error,
  };
}

/** The bytes of every file under `dir` (what `du -sb` counts, directories aside). */
export async function bytesUnder(dir: string, except: ReadonlySet<string> = new Set()): Promise<number> {
  let total = 0;
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    if (except.has(entry.name)) continue;
    const path = join(dir, entry.name);
    total += entry.isDirectory() ? await bytesUnder(path) : (await stat(path)).size;
  }
  return total;
}

/** Keys and secrets are not evidence a run adds: they are written once, by `esms init`. */
const NOT_SEALED = new Set(['evidence-key.pem', 'evidence-key.pub.pem', 'pseudonym-secret']);

/** What a sealed run reads and where it writes. */
interface EvidenceRun {
  /** The built `esms` entry (`packages/agent/dist/main.js`). */
  engineMain: string;
  inputDir: string;
  establishments: readonly string[];
  measureDate: string;
  workDir: string;
  cwd: string;
}

/**
 * Seals one run of the dataset (`esms run-once` with an NDJSON source and no ARS) into a fresh data
 * directory, measures the evidence it wrote, then times `esms verify` on it; `runs` times (default once),
 * each in its own fresh directory, keeping the median times and peak RSS, as the other columns do: one
 * run of each was the noisiest figure of the table on these shared hosts.
 */
export async function measureEvidence(options: EvidenceRun & { runs?: number }): Promise<EvidenceFigures> {
  await rm(options.workDir, { recursive: true, force: true });
  const runs: EvidenceFigures[] = [];
  for (let run = 0; run < Math.max(1, options.runs ?? 1); run++) {
    const figures = await measureOneRun({ ...options, workDir: join(options.workDir, `run-${run + 1}`) });
    if (!figures.ok) return figures;
    runs.push(figures);
  }
  // Each run has its own keys and pseudonym secret, so its compressed bytes differ slightly.
  const of = (pick: (r: EvidenceFigures) => number | null): number | null =>
    median(runs.map(pick).filter((v): v is number => v !== null));
  return {
    ok: true,
    evidenceBytesPerRun: of((r) => r.evidenceBytesPerRun),
    sealSeconds: of((r) => r.sealSeconds),
    sealPeakRssMb: of((r) => r.sealPeakRssMb),
    verifySeconds: of((r) => r.verifySeconds),
    verifyPeakRssMb: of((r) => r.verifyPeakRssMb),
    error: null,
  };
}

async function measureOneRun(options: EvidenceRun): Promise<EvidenceFigures> {
  const dataDir = join(options.workDir, 'data');
  await rm(options.workDir, { recursive: true, force: true });
  const configPath = join(options.workDir, 'esms.config.yaml');
  await writeFileSafe(
    configPath,
    [
      'establishments:',
      ...options.establishments.map((finess) => `  - finess: "${finess}"`),
      'sources:',
      `  - { type: ndjson, paths: [${JSON.stringify(options.inputDir)}] }`,
      'ars: null',
      `dataDir: ${JSON.stringify(dataDir)}`,
      'logging: { format: json, level: warn }',
      '',
    ].join('\n'),
  );
  // A run never creates evidence keys: an installation makes them once (`esms init --keys-only`).
  const init = await runMeasuredNode(
    [options.engineMain, 'init', '--keys-only', '--config', configPath],
    join(options.workDir, 'init.txt'),
    options.cwd,
  );
  if (init.exitCode !== 0)
    return failedEvidence(`init exit ${String(init.exitCode)}: ${init.stderrTail.trim().slice(-300)}`);
  const seal = await runMeasuredNode(
    [options.engineMain, 'run-once', '--config', configPath, '--measure-date', options.measureDate],
    join(options.workDir, 'run-once.json'),
    options.cwd,
  );
  if (seal.exitCode !== 0)
    return failedEvidence(`run-once exit ${String(seal.exitCode)}: ${seal.stderrTail.trim().slice(-300)}`);
  const evidenceDir = join(dataDir, 'evidence');
  const evidenceBytesPerRun = await bytesUnder(evidenceDir, NOT_SEALED);
  const verify = await runMeasuredNode(
    [options.engineMain, 'verify', evidenceDir],
    join(options.workDir, 'verify.txt'),
    options.cwd,
  );
  if (verify.exitCode !== 0)
    return failedEvidence(`verify exit ${String(verify.exitCode)}: ${verify.stderrTail.trim().slice(-300)}`);
  return {
    ok: true,
    evidenceBytesPerRun,
    sealSeconds: Number((seal.wallMs / 1000).toFixed(3)),
    sealPeakRssMb: seal.peakRssKb === null ? null : Number((seal.peakRssKb / 1024).toFixed(1)),
    verifySeconds: Number((verify.wallMs / 1000).toFixed(3)),
    verifyPeakRssMb: verify.peakRssKb === null ? null : Number((verify.peakRssKb / 1024).toFixed(1)),
    error: null,
  };
}

async function writeFileSafe(path: string, text: string): Promise<void> {
  await mkdir(join(path, '..'), { recursive: true });
  await writeFile(path, text);
}
