import { execFile, spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { esms, killChildren, REPO_ROOT, startCli, waitFor } from './support/processes.js';

// `esms serve` through the built CLI, called by the examples in examples/serve/: a Python client
// (standard library only) and a curl script get the document `esms compute` prints for the same files.
const run = promisify(execFile);
const SAMPLE = join(REPO_ROOT, 'examples/sample-data');
const D = '2024-04-01';
const has = (program: string): boolean => spawnSync(program, ['--version']).status === 0;
const PYTHON = has('python3');
const CURL = has('curl');

let url: string;
let expected: unknown;
let scratch: string;

beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'esms-e2e-serve-'));
  // No config here (and none in the working directory): the service computes what is posted.
  const served = startCli(['serve', '--listen', '127.0.0.1:0']);
  url = await waitFor(
    () => /listening on (http:\/\/\S+)/.exec(served.output().stdout)?.[1],
    20_000,
    'esms serve to listen',
  );
  const computed = await esms(['compute', '--input', SAMPLE, '--measure-date', D, '--format', 'json']);
  expect(computed.code).toBe(0);
  expected = JSON.parse(computed.stdout);
});
afterAll(async () => {
  await killChildren();
  await rm(scratch, { recursive: true, force: true });
});

describe('esms serve (built CLI) called from examples/serve', () => {
  it.skipIf(!PYTHON)('client.py (Python standard library) gets the document of esms compute', async () => {
    const out = await run('python3', [
      join(REPO_ROOT, 'examples/serve/client.py'),
      '--url',
      url,
      '--input',
      SAMPLE,
      '--measure-date',
      D,
    ]);
    expect(JSON.parse(out.stdout)).toEqual(expected);
  });

  it.skipIf(!PYTHON)('client.py reports the OperationOutcome of a bad line and exits 1', async () => {
    const bad = join(scratch, 'bad.ndjson');
    await writeFile(bad, '{"resourceType":"Patient","id":"p"}\n{oops\n');
    const failed = await run('python3', [
      join(REPO_ROOT, 'examples/serve/client.py'),
      '--url',
      url,
      '--input',
      bad,
      '--measure-date',
      D,
    ]).catch((error: unknown) => error as { code: number; stderr: string });
    expect((failed as { code: number }).code).toBe(1);
    expect((failed as { stderr: string }).stderr).toContain('HTTP 400');
    expect((failed as { stderr: string }).stderr).toContain('line 2');
  });

  it.skipIf(!CURL)('compute-with-curl.sh gets the document of esms compute', async () => {
    const out = await run('sh', [join(REPO_ROOT, 'examples/serve/compute-with-curl.sh'), url, D]);
    expect(JSON.parse(out.stdout)).toEqual(expected);
  });

  it('refuses a non-loopback address without serve.token (exit 2), and a token too short (exit 3)', async () => {
    const open = await esms(['serve', '--listen', '0.0.0.0:0']);
    expect(open.code).toBe(2);
    expect(open.stderr).toContain('serve.token');
    const config = join(scratch, 'esms.config.yaml');
    await writeFile(
      config,
      'establishments:\n  - finess: "970407680"\nsources:\n  - type: ndjson\n    paths: [./x]\nserve:\n  token: { env: ESMS_TEST_SERVE_TOKEN }\n',
    );
    const short = await esms(['serve', '--config', config, '--listen', '0.0.0.0:0'], {
      ESMS_TEST_SERVE_TOKEN: 'too-short',
    });
    expect(short.code).toBe(3);
    expect(short.stderr).toContain('serve.token');
    expect(short.stderr).not.toContain('too-short');
  });
});

if (!PYTHON) console.warn('serve-cli.test.ts: python3 not found: the Python client test is skipped');
