import { spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FIXTURE_EXPORT } from './support/expectations.js';
import { CLI, esms, finished, killChildren, spawnTracked, waitFor } from './support/processes.js';
import { cleanUpLoopbacks, loopbackAgent } from './support/loopback.js';
import type { AgentHome } from './support/agent-config.js';

// Issue 12, monitoring: `esms status --format prometheus --out FILE` for node_exporter's textfile collector,
// through the built CLI; and, where Debian's prometheus-node-exporter is installed (.ci/run installs it),
// read by node_exporter itself.
const NODE_EXPORTER = ['prometheus-node-exporter', 'node_exporter'].find(
  (name) => spawnSync(name, ['--version']).status === 0,
);
let scratch: string;
let home: AgentHome;

beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'esms-e2e-monitoring-'));
  ({ home } = await loopbackAgent({ ndjsonDir: FIXTURE_EXPORT }));
  const run = await esms(['run-once', '--config', home.configPath, '--measure-date', '2024-04-01']);
  expect(run.code, run.stderr).toBe(0);
});
afterAll(async () => {
  await killChildren();
  await cleanUpLoopbacks();
  await rm(scratch, { recursive: true, force: true });
});

/** `esms status --format prometheus --out file` with the umask of a hardened service (0077). */
function writeStatus(file: string): { code: number | null; stderr: string } {
  const run = spawnSync(
    'sh',
    [
      '-c',
      'umask 077; exec "$0" "$@"',
      process.execPath,
      CLI,
      'status',
      '--config',
      home.configPath,
      '--format',
      'prometheus',
      '--out',
      file,
    ],
    { encoding: 'utf8' },
  );
  return { code: run.status, stderr: run.stderr };
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

describe.concurrent('esms status --format prometheus --out (built CLI)', () => {
  it('writes the file by rename, readable by another user (0644) despite a 0077 umask, no temp file left', async () => {
    const dir = join(scratch, 'textfile');
    await mkdir(dir);
    const file = join(dir, 'esms.prom');
    const first = writeStatus(file);
    expect(first.code, first.stderr).toBe(0);
    const before = await stat(file);
    expect(before.mode & 0o777).toBe(0o644);
    const text = await readFile(file, 'utf8');
    expect(text).toMatch(/^# HELP esms_info /);
    expect(text).toContain('esms_submissions_delivered 1\n');
    expect(text).toContain('esms_attention_needed 0\n');
    const second = writeStatus(file);
    expect(second.code).toBe(0);
    // A new file renamed over the old one (a reader never sees half of it), not the old one rewritten.
    expect((await stat(file)).ino).not.toBe(before.ino);
    expect(await readdir(dir)).toEqual(['esms.prom']);
    const missingDir = writeStatus(join(scratch, 'no-such-dir', 'esms.prom'));
    expect(missingDir.code).toBe(1);
    expect(missingDir.stderr).toContain('ENOENT');
  });

  it.skipIf(NODE_EXPORTER === undefined && process.env['CI'] === undefined)(
    'node_exporter reads the file without a scrape error and serves the esms_* metrics',
    async () => {
      const dir = join(scratch, 'collector');
      await mkdir(dir);
      expect(writeStatus(join(dir, 'esms.prom')).code).toBe(0);
      const port = await freePort();
      const exporter = spawnTracked(NODE_EXPORTER ?? 'prometheus-node-exporter', [
        '--collector.disable-defaults',
        '--collector.textfile',
        `--collector.textfile.directory=${dir}`,
        `--web.listen-address=127.0.0.1:${port}`,
      ]);
      const output = finished(exporter);
      const metrics = await waitFor(
        async () => {
          const response = await fetch(`http://127.0.0.1:${port}/metrics`).catch(() => undefined);
          return response?.ok === true ? response.text() : undefined;
        },
        20_000,
        'node_exporter to serve its metrics',
      );
      exporter.kill('SIGTERM');
      await output.done;
      expect(metrics).toContain('node_textfile_scrape_error 0');
      expect(metrics).toMatch(/^esms_submissions_delivered 1$/m);
      expect(metrics).toMatch(/^esms_va_ready\{finess="750000010"\} [01]$/m);
      expect(metrics).toMatch(/^esms_info\{.*version="\d+\.\d+\.\d+".*\} 1$/m);
    },
  );
});
