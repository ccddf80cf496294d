import { spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from './support/processes.js';

// Issue 12: the systemd units in examples/deploy, checked by systemd's own analyzer (Debian's `systemd`
// package, which .ci/run installs). Without systemd as PID 1 nothing is started: `verify` parses and checks
// the units, `security --offline=true` rates their hardening.
const DEPLOY = join(REPO_ROOT, 'examples/deploy');
const UNITS = ['esms-agent.service', 'esms-status.service', 'esms-status.timer'];
const SERVICES = ['esms-agent.service', 'esms-status.service'];
const MAX_EXPOSURE = 2.5;
const INSTALLED_ESMS = '/opt/esms/bin/esms';
const analyzer = spawnSync('systemd-analyze', ['--version'], { encoding: 'utf8' });
const hasAnalyzer = analyzer.status === 0;

let scratch: string;
beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'esms-units-'));
});
afterAll(async () => {
  await rm(scratch, { recursive: true, force: true });
});

function analyze(args: readonly string[], cwd: string): { code: number | null; out: string } {
  const run = spawnSync('systemd-analyze', args, { cwd, encoding: 'utf8' });
  return { code: run.status, out: `${run.stdout}${run.stderr}` };
}

describe('examples/deploy units', () => {
  it('the agent unit matches esms init --system: user, paths, reload, no restart on exit 2/3', async () => {
    const unit = await readFile(join(DEPLOY, 'esms-agent.service'), 'utf8');
    const setting = (name: string): string[] =>
      [...unit.matchAll(new RegExp(`^${name}=(.*)$`, 'gm'))].map((m) => m[1] ?? '');
    expect(setting('User')).toEqual(['esms']);
    expect(setting('ExecStart')).toEqual([`${INSTALLED_ESMS} start`]);
    expect(setting('ExecReload')).toEqual(['/bin/kill -HUP $MAINPID']);
    expect(setting('Environment')).toContain('ESMS_CONFIG=/etc/esms/esms.config.yaml');
    expect(setting('EnvironmentFile')).toEqual(['-/etc/esms/esms.env']);
    expect(setting('StateDirectory')).toEqual(['esms']);
    expect(setting('WorkingDirectory')).toEqual(['/var/lib/esms']);
    expect(setting('RestartPreventExitStatus')).toEqual(['2 3']);
    expect(setting('SuccessExitStatus')).toEqual(['143']);
    // Values the agent's code defines: the unit must say the same.
    const layout = await readFile(join(REPO_ROOT, 'packages/agent/src/install/system-layout.ts'), 'utf8');
    for (const value of ["'/etc/esms'", "'/var/lib/esms'", "'esms'", "'/opt/esms'"])
      expect(layout).toContain(value);
  });

  it('the Dockerfile installs the same artefacts the same way (pnpm pack of both, npm install -g --prefix /opt/esms)', async () => {
    const docker = await readFile(join(DEPLOY, 'Dockerfile'), 'utf8');
    expect(docker).toContain('(cd packages/sdk && pnpm pack --pack-destination /packs)');
    expect(docker).toContain('(cd packages/agent && pnpm pack --pack-destination /packs)');
    expect(docker).toContain('npm install -g --prefix /opt/esms');
    expect(docker).toMatch(/^ENTRYPOINT \["\/opt\/esms\/bin\/esms"\]$/m);
    expect(docker).toMatch(/^USER esms$/m);
    expect(docker).toContain('ESMS_CONFIG=/etc/esms/esms.config.yaml');
  });

  describe.skipIf(!hasAnalyzer && process.env['CI'] === undefined)('with systemd-analyze', () => {
    it('systemd-analyze verify accepts every unit (ExecStart pointed at this checkout’s esms)', async () => {
      const dir = join(scratch, 'verify');
      await rm(dir, { recursive: true, force: true });
      await mkdir(dir);
      // verify checks that ExecStart exists and is executable: /opt/esms is not installed on this machine.
      const esms = join(REPO_ROOT, 'packages/agent/bin/esms.js');
      for (const name of UNITS) {
        const text = await readFile(join(DEPLOY, name), 'utf8');
        await writeFile(join(dir, name), text.replaceAll(INSTALLED_ESMS, esms));
      }
      expect((await readdir(dir)).sort()).toEqual([...UNITS].sort());
      const run = analyze(['verify', ...UNITS], dir);
      expect(run.out).toBe('');
      expect(run.code).toBe(0);
    });

    it.each(SERVICES)(
      `systemd-analyze security --offline=true rates %s at an exposure of ${MAX_EXPOSURE} or less, each protection left off explained`,
      async (name) => {
        const run = analyze(['security', '--offline=true', name], DEPLOY);
        const exposure = /Overall exposure level for \S+: (\d+(?:\.\d+)?)/.exec(run.out)?.[1];
        expect(exposure, run.out).toBeDefined();
        expect(Number(exposure)).toBeLessThanOrEqual(MAX_EXPOSURE);
        // Every protection the analyzer finds missing is named in a comment of the unit, with its reason.
        const unit = await readFile(join(DEPLOY, name), 'utf8');
        const comments = unit
          .split('\n')
          .filter((line) => line.startsWith('#'))
          .join('\n');
        const missing = [...run.out.matchAll(/^✗ (\w+)/gm)].map((m) => m[1] ?? '');
        expect(missing.length).toBeGreaterThan(0);
        for (const setting of new Set(missing)) expect(comments, setting).toContain(setting);
      },
    );
  });
});
