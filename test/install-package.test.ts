import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, realpath, rm, stat } from 'node:fs/promises';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from './support/processes.js';

// Issue 12, "installing the esms command": what an IT team does outside the repository. The two packages
// are packed as the README says (`pnpm pack`, which turns `workspace:*` into the version), installed with
// `npm install -g` into a prefix of their own (a temp one here, /opt/esms in the README), and the command is
// run from there, from a directory that has nothing to do with the repository.
const run = promisify(execFile);
let scratch: string;
let prefix: string;
let esmsBin: string;
let workDir: string;

beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'esms-install-'));
  prefix = join(scratch, 'prefix');
  workDir = join(scratch, 'elsewhere');
  await run('mkdir', ['-p', workDir]);
  const packs = join(scratch, 'packs');
  for (const pkg of ['sdk', 'agent']) {
    await run('pnpm', ['pack', '--pack-destination', packs], { cwd: join(REPO_ROOT, 'packages', pkg) });
  }
  const tarballs = (await readdir(packs)).map((name) => join(packs, name)).sort();
  expect(tarballs.map((t) => t.slice(packs.length + 1))).toEqual([
    'esms-numerique-agent-0.1.0.tgz',
    'esms-numerique-sdk-0.1.0.tgz',
  ]);
  // Both in one command: the agent's dependency on the SDK (0.1.0 once packed) is met by the SDK tarball.
  await run(
    'npm',
    ['install', '-g', '--prefix', prefix, '--no-audit', '--no-fund', '--loglevel=error', ...tarballs],
    {
      cwd: workDir,
      timeout: 300_000,
    },
  );
  esmsBin = join(prefix, 'bin', 'esms');
}, 320_000);
afterAll(async () => {
  await rm(scratch, { recursive: true, force: true });
});

async function esms(args: readonly string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(esmsBin, args, { cwd: workDir, encoding: 'utf8' });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe('esms installed from packed tarballs with npm install -g', () => {
  it('esms --version, from outside the repository, with the SDK of the tarball (nothing from the registry)', async () => {
    const version = JSON.parse(await readFile(join(REPO_ROOT, 'packages/agent/package.json'), 'utf8')) as {
      version: string;
    };
    // Node 18 gets npm's engine warning (follow-up O8): both packages say what they need.
    for (const pkg of ['agent', 'sdk']) {
      const manifest = JSON.parse(
        await readFile(join(prefix, 'lib', 'node_modules', '@esms-numerique', pkg, 'package.json'), 'utf8'),
      ) as { engines?: { node?: string } };
      expect(manifest.engines?.node).toBe('>=20');
    }
    const result = await esms(['--version']);
    expect(result).toMatchObject({ code: 0, stdout: `${version.version}\n`, stderr: '' });
    const lib = join(prefix, 'lib', 'node_modules', '@esms-numerique');
    expect((await readdir(lib)).sort()).toEqual(['agent', 'sdk']);
    // No second SDK under the agent: the one installed beside it is the one it loads.
    await expect(stat(join(lib, 'agent', 'node_modules', '@esms-numerique', 'sdk'))).rejects.toThrow();
    expect(await realpath(esmsBin)).toBe(join(lib, 'agent', 'bin', 'esms.js'));
  });

  it("the installed agent exports no library API: the repository tools' subpath is not in the packed manifest", async () => {
    const lib = join(prefix, 'lib', 'node_modules', '@esms-numerique');
    const manifest = JSON.parse(await readFile(join(lib, 'agent', 'package.json'), 'utf8')) as {
      exports?: Record<string, unknown>;
    };
    expect(Object.keys(manifest.exports ?? {})).toEqual(['./package.json']);
    // In the repository, the tools still reach it through the workspace (packages/agent/package.json).
    const workspace = JSON.parse(await readFile(join(REPO_ROOT, 'packages/agent/package.json'), 'utf8')) as {
      exports: Record<string, unknown>;
    };
    expect(Object.keys(workspace.exports)).toContain('./tools-support');
  });

  it('esms init then esms validate-config, and a computation with its worker threads, all from the install', async () => {
    const config = join(workDir, 'esms.config.yaml');
    const init = await esms(['init', '--config', config]);
    expect(init.code, init.stderr).toBe(0);
    const valid = await esms(['validate-config', '--config', config, '--skip-secrets']);
    expect(valid.code, valid.stderr).toBe(0);
    expect(valid.stdout).toMatch(/^config OK \(/);
    const compute = await esms([
      'compute',
      '--input',
      join(REPO_ROOT, 'examples/sample-data'),
      '--measure-date',
      '2024-04-01',
      '--threads',
      '2',
      '--no-progress',
    ]);
    expect(compute.code, compute.stderr).toBe(0);
    expect((JSON.parse(compute.stdout) as { establishments: unknown[] }).establishments).toHaveLength(5);
  });

  it('esms init --system (in a staging root) writes a config that esms validate-config accepts', async () => {
    const root = join(scratch, 'root');
    const user = process.getuid?.() === 0 ? 'nobody' : userInfo().username;
    const init = await esms(['init', '--system', '--root', root, '--user', user]);
    expect(init.code, init.stderr).toBe(0);
    expect(init.stdout).toContain(`${root}/etc/esms/esms.config.yaml`);
    expect(init.stdout).toContain('/opt/esms/bin/esms validate-config');
    // Run as root already, on a server without the repository (follow-up O8).
    expect(init.stdout).not.toContain('sudo');
    expect(init.stdout).not.toMatch(/install examples\/deploy/);
    const valid = await esms([
      'validate-config',
      '--config',
      join(root, 'etc/esms/esms.config.yaml'),
      '--skip-secrets',
      '--format',
      'json',
    ]);
    expect(valid.code, valid.stderr).toBe(0);
    expect(JSON.parse(valid.stdout)).toMatchObject({ valid: true, problems: [] });
    expect((await stat(join(root, 'var/lib/esms/evidence/evidence-key.pem'))).mode & 0o777).toBe(0o600);
  });
});
