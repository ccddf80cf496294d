import { spawn, spawnSync } from 'node:child_process';
import { createWriteStream, existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { ToolsError } from './errors.js';

/** How the peak RSS of a child is measured (the bench prints which one). */
export type RssProbe = 'gnu-time' | 'preload';

export interface MeasuredRun {
  wallMs: number;
  /** Peak resident set size of the child in kilobytes, or `null` when it could not be read. */
  peakRssKb: number | null;
  exitCode: number | null;
  stdoutFile: string;
  stderrTail: string;
}

const GNU_TIME = '/usr/bin/time';
let probeCache: RssProbe | undefined;

/**
 * GNU time (`/usr/bin/time -f %M -o FILE`) reads the child's peak RSS from the kernel (wait4 rusage) without
 * touching the child; it is used when present and working (Linux). Elsewhere (macOS' BSD time has no `-f`,
 * Windows has none) a preload writes `process.resourceUsage().maxRSS` at exit: the same figure, from inside.
 */
export function detectRssProbe(): RssProbe {
  if (probeCache !== undefined) return probeCache;
  probeCache = 'preload';
  if (existsSync(GNU_TIME)) {
    const result = spawnSync(GNU_TIME, ['-f', '%M', process.execPath, '-e', '0'], { encoding: 'utf8' });
    if (result.status === 0 && /^\d+\s*$/m.test(result.stderr)) probeCache = 'gnu-time';
  }
  return probeCache;
}

/**
 * Runs `node <args>` as a fresh child process, its stdout to `stdoutFile`, and measures its wall time (spawn
 * to exit, Node start-up included, the same for every contender) and its peak RSS.
 */
export async function runMeasuredNode(
  args: readonly string[],
  stdoutFile: string,
  cwd: string,
): Promise<MeasuredRun> {
  const probe = detectRssProbe();
  const scratch = await mkdtemp(join(tmpdir(), 'esms-bench-'));
  const rssFile = join(scratch, 'rss');
  const preload = pathToFileURL(join(dirname(fileURLToPath(import.meta.url)), 'rss-preload.js')).href;
  const [command, commandArgs] =
    probe === 'gnu-time'
      ? [GNU_TIME, ['-f', '%M', '-o', rssFile, process.execPath, ...args]]
      : [process.execPath, ['--import', preload, ...args]];
  const out = createWriteStream(stdoutFile);
  const started = performance.now();
  const child = spawn(command, commandArgs, {
    cwd,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ESMS_BENCH_RSS_FILE: rssFile },
  });
  let stderr = '';
  child.stdout.pipe(out);
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-4000);
  });
  let exitCode: number | null;
  try {
    [exitCode] = (await once(child, 'close')) as [number | null];
  } catch (cause) {
    throw new ToolsError('child-failed', `could not run ${command}`, { cause });
  }
  const wallMs = performance.now() - started;
  if (!out.writableFinished) await once(out, 'finish');
  let peakRssKb: number | null = null;
  try {
    const text = (await readFile(rssFile, 'utf8')).trim().split('\n').pop() ?? '';
    const value = Number(text);
    peakRssKb = Number.isFinite(value) && value > 0 ? value : null;
  } catch {
    peakRssKb = null;
  }
  await rm(scratch, { recursive: true, force: true });
  return { wallMs, peakRssKb, exitCode, stdoutFile, stderrTail: stderr };
}
