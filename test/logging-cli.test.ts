import { spawn } from 'node:child_process';
import { closeSync, fstatSync, openSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FIXTURE_EXPORT } from './support/expectations.js';
import { CLI, esms, killChildren, REPO_ROOT } from './support/processes.js';
import { cleanUpLoopbacks, loopbackAgent } from './support/loopback.js';

// Follow-ups O3, O5, O7: what the agent writes on standard error when it is not a terminal.
const MEASURE_DATE = '2024-04-01';

afterAll(async () => {
  await killChildren();
  await cleanUpLoopbacks();
});

function jsonLines(stderr: string): Record<string, unknown>[] {
  return stderr
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

describe.concurrent('logs on standard error, not a terminal (built CLI)', () => {
  it('a refused run: only JSON lines, the summary and the last word at error level, submit not "ok" (O5)', async () => {
    const { home, receiver } = await loopbackAgent({ ndjsonDir: FIXTURE_EXPORT });
    await receiver.addFaults([{ status: 422 }]);
    const run = await esms(['run-once', '--config', home.configPath, '--measure-date', MEASURE_DATE]);
    expect(run.code, run.stderr).toBe(1);
    const lines = jsonLines(run.stderr); // throws on a plain-text line
    const last = lines.at(-1);
    expect(last).toMatchObject({ level: 'error', code: 'submission-permanent', exitCode: 1 });
    expect(String(last?.['msg'])).toMatch(/^esms: run failed: /);
    expect(lines.find((l) => l['msg'] === 'run failed')?.['level']).toBe('error');
    expect(lines.find((l) => l['phase'] === 'submit' && 'outcome' in l)).toMatchObject({
      outcome: 'failed',
      failed: 1,
    });
  });

  it('--log-level and ESMS_LOG_LEVEL override the config’s level; a bad level is bad usage (O7)', async () => {
    const { home } = await loopbackAgent({ ndjsonDir: FIXTURE_EXPORT });
    const debug = await esms([
      'run-once',
      '--config',
      home.configPath,
      '--measure-date',
      MEASURE_DATE,
      '--log-level',
      'debug',
    ]);
    expect(debug.code, debug.stderr).toBe(0);
    expect(jsonLines(debug.stderr).some((l) => l['level'] === 'debug')).toBe(true);
    const quiet = await esms(['run-once', '--config', home.configPath, '--measure-date', MEASURE_DATE], {
      ESMS_LOG_LEVEL: 'warn',
    });
    expect(quiet.code, quiet.stderr).toBe(0);
    expect(jsonLines(quiet.stderr).filter((l) => l['level'] === 'info')).toEqual([]);
    const bad = await esms(['status', '--config', home.configPath, '--log-level', 'loud']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--log-level must be one of fatal, error, warn, info, debug, trace, silent');
  });

  it('under systemd (JOURNAL_STREAM names standard error) each line carries its syslog priority (O3)', async () => {
    const { home, receiver } = await loopbackAgent({ ndjsonDir: FIXTURE_EXPORT });
    await receiver.addFaults([{ status: 422 }]);
    const file = join(home.dir, 'journal.txt');
    const fd = openSync(file, 'w');
    const { dev, ino } = fstatSync(fd);
    const code = await new Promise<number | null>((resolve, reject) => {
      const child = spawn(
        process.execPath,
        [CLI, 'run-once', '--config', home.configPath, '--measure-date', MEASURE_DATE],
        {
          cwd: REPO_ROOT,
          stdio: ['ignore', 'ignore', fd],
          env: { ...process.env, JOURNAL_STREAM: `${dev}:${ino}` },
        },
      );
      child.once('error', reject);
      child.once('close', (c) => resolve(c));
    });
    closeSync(fd);
    expect(code).toBe(1);
    const lines = (await readFile(file, 'utf8')).split('\n').filter((l) => l !== '');
    expect(lines.length).toBeGreaterThan(2);
    for (const line of lines) expect(line).toMatch(/^<[0-7]>\{/);
    const priority = (l: string): number => Number(/^<(\d)>/.exec(l)?.[1]);
    const body = (l: string): Record<string, unknown> =>
      JSON.parse(l.replace(/^<\d>/, '')) as Record<string, unknown>;
    for (const line of lines) {
      const level = body(line)['level'];
      expect(priority(line)).toBe({ error: 3, warn: 4, info: 6, debug: 7 }[String(level)]);
    }
    expect(lines.some((l) => priority(l) === 3)).toBe(true);
    // Without JOURNAL_STREAM (a pipe): plain JSON lines, no prefix.
    const piped = await esms(['status', '--config', home.configPath, '--format', 'json'], {
      JOURNAL_STREAM: '',
    });
    expect(piped.stderr).not.toMatch(/^</m);
  });
});
