import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ResultsDocument } from '@esms-numerique/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FIXTURE_EXPORT } from './support/expectations.js';
import { CLI, esms, killChildren, REPO_ROOT, spawnTracked, finished } from './support/processes.js';
import { cleanUpLoopbacks, loopbackAgent } from './support/loopback.js';

// Issue 12, "long runs are silent": progress on standard error, never on standard output. On a terminal a
// status line (checked through a real pseudo-terminal, util-linux's `script`); elsewhere JSON phase lines.
let scratch: string;
beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'esms-e2e-progress-'));
});
afterAll(async () => {
  await killChildren();
  await cleanUpLoopbacks();
  await rm(scratch, { recursive: true, force: true });
});

type LogLine = Record<string, unknown>;

/** Every stderr line, each of which must be a JSON object. */
function jsonLines(stderr: string): LogLine[] {
  return stderr
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as LogLine);
}

function phaseLines(lines: readonly LogLine[]): string[] {
  return lines
    .filter((line) => line['component'] === 'progress')
    .map((line) => `${String(line['level'])} ${String(line['msg'])}`);
}

describe.concurrent('progress (built CLI)', () => {
  it('esms compute into a pipe: JSON phase lines at info on stderr, the document alone on stdout', async () => {
    const run = await esms(['compute', '--input', FIXTURE_EXPORT, '--measure-date', '2024-04-01']);
    expect(run.code, run.stderr).toBe(0);
    const doc = JSON.parse(run.stdout) as ResultsDocument;
    const lines = jsonLines(run.stderr);
    expect(phaseLines(lines)).toEqual([
      'info read started',
      'info read ended',
      'info compute started',
      'info compute ended',
    ]);
    const read = lines.find((line) => line['msg'] === 'read ended');
    const byType = read?.['byType'] as Array<{ type: string; records: number }>;
    expect(read).toMatchObject({ phase: 'read', outcome: 'ok', pages: 0 });
    expect(typeof read?.['durationMs']).toBe('number');
    expect(byType.reduce((sum, t) => sum + t.records, 0)).toBe(read?.['records']);
    expect(byType.map((t) => t.type)).toContain('Patient');
    expect(lines.find((line) => line['msg'] === 'compute ended')).toMatchObject({
      establishments: doc.establishments.length,
    });
    const quiet = await esms([
      'compute',
      '--input',
      FIXTURE_EXPORT,
      '--measure-date',
      '2024-04-01',
      '--no-progress',
    ]);
    expect(quiet.stderr).toBe('');
    expect(JSON.parse(quiet.stdout)).toEqual(doc);
  });

  it('esms compute on a terminal: a status line and one line per phase on stderr; stdout stays JSON', async () => {
    const out = join(scratch, 'compute.json');
    // `script` gives the command a pseudo-terminal; stdout goes to a file, so the terminal shows stderr.
    const command = `${JSON.stringify(process.execPath)} ${JSON.stringify(CLI)} compute --input ${JSON.stringify(FIXTURE_EXPORT)} --measure-date 2024-04-01 --format json > ${JSON.stringify(out)}`;
    const child = spawnTracked('script', ['-q', '-e', '-c', command, '/dev/null'], { cwd: REPO_ROOT });
    const run = await finished(child).done;
    expect(run.code, run.stdout + run.stderr).toBe(0);
    const screen = run.stdout.split('\u001b[2K').join('');
    expect(screen).toMatch(/\resms read · /);
    expect(screen).toMatch(/esms read: \d+ records in \d+\.\d s \([\d ]+\/s\)\r?\n/);
    expect(screen).toMatch(/esms compute: done in \d+\.\d s\r?\n/);
    expect(screen).not.toContain('"level"');
    expect(screen).not.toContain('measureDate');
    const doc = JSON.parse(await readFile(out, 'utf8')) as ResultsDocument;
    expect(doc.measureDate).toBe('2024-04-01');
  });

  it('esms run-once into a pipe: phase lines read, compute, seal, submit, in order, with their counts', async () => {
    const { home } = await loopbackAgent({ ndjsonDir: FIXTURE_EXPORT });
    const run = await esms(['run-once', '--config', home.configPath, '--measure-date', '2024-04-01']);
    expect(run.code, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ outcome: 'submitted' });
    const lines = jsonLines(run.stderr);
    expect(phaseLines(lines)).toEqual([
      'info read started',
      'info read ended',
      'info compute started',
      'info compute ended',
      'info seal started',
      'info seal ended',
      'info submit started',
      'info submit ended',
    ]);
    expect(lines.find((line) => line['msg'] === 'seal ended')).toMatchObject({ entry: 1 });
    expect(lines.find((line) => line['msg'] === 'submit ended')).toMatchObject({
      delivered: 1,
      failed: 0,
      pending: 0,
    });
    // Times in the schedule's zone (Europe/Paris), with its offset.
    expect(String(lines[0]?.['time'])).toMatch(/T\d{2}:\d{2}:\d{2}\.\d{3}\+0[12]:00$/);
  });

  it('pnpm generate into a pipe: generate started and ended, with counts by type; the summary on stdout', () => {
    const outDir = join(scratch, 'generated');
    const run = spawnSync(
      process.execPath,
      [join(REPO_ROOT, 'packages/tools/dist/generate-main.js'), '--persons', '3', '--out', outDir],
      { encoding: 'utf8' },
    );
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/^generated \d+ resources/);
    const lines = jsonLines(run.stderr);
    expect(phaseLines(lines)).toEqual(['info generate started', 'info generate ended']);
    const ended = lines[1];
    const total = Number(/^generated (\d+) resources/.exec(run.stdout)?.[1]);
    expect(ended).toMatchObject({ phase: 'generate', records: total, persons: 3 });
  });
});
