import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { esms, REPO_ROOT } from './support/processes.js';

// Issue 12: the README's commands must work as written, and be pipeable (`pnpm esms … | jq` breaks on
// pnpm's banner). Every `esms VERB --flag` in its shell blocks names a verb and flags the CLI has.
const run = promisify(execFile);

async function shellBlocks(): Promise<string[]> {
  const readme = await readFile(join(REPO_ROOT, 'README.md'), 'utf8');
  return [...readme.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1] ?? '');
}

describe('pnpm -s esms from another directory (follow-up F6)', () => {
  it('reads --config and writes --out relative to where it was typed, not the repository root', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'esms-e2e-pnpm-cwd-'));
    try {
      await writeFile(
        join(dir, 'mine.yaml'),
        [
          'establishments: [{ finess: "750006827" }]',
          `sources: [{ type: ndjson, paths: [${JSON.stringify(join(REPO_ROOT, 'examples/sample-data'))}] }]`,
          'ars: null',
          'dataDir: ./data',
          '',
        ].join('\n'),
      );
      const checked = await run(
        'pnpm',
        ['-C', REPO_ROOT, '-s', 'esms', 'validate-config', '--config', './mine.yaml'],
        {
          cwd: dir,
        },
      );
      expect(checked.stdout).toContain('mine.yaml');
      await run('pnpm', ['-C', REPO_ROOT, '-s', 'esms', 'init', '--keys-only', '--config', 'mine.yaml'], {
        cwd: dir,
      });
      await run(
        'pnpm',
        ['-C', REPO_ROOT, '-s', 'esms', 'run-once', '--config', 'mine.yaml', '--measure-date', '2024-04-01'],
        {
          cwd: dir,
        },
      );
      await run(
        'pnpm',
        [
          '-C',
          REPO_ROOT,
          '-s',
          'esms',
          'export',
          '--format',
          'csv',
          '--config',
          'mine.yaml',
          '--out',
          'figures.csv',
        ],
        {
          cwd: dir,
        },
      );
      expect(await readFile(join(dir, 'figures.csv'), 'utf8')).toContain('750006827');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('the receiver README (follow-up F7)', () => {
  it('gives the agent’s retry defaults, as esms init writes them', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'esms-e2e-defaults-'));
    try {
      const init = await esms(['init', '--config', join(dir, 'esms.config.yaml')]);
      expect(init.code, init.stderr).toBe(0);
      const config = await readFile(join(dir, 'esms.config.yaml'), 'utf8');
      const initialMs = Number(/initialDelayMs: (\d+)/.exec(config)?.[1]);
      const maxMs = Number(/maxDelayMs: (\d+)/.exec(config)?.[1]);
      const readme = (await readFile(join(REPO_ROOT, 'examples/receiver/README.md'), 'utf8')).replace(
        /\s+/g,
        ' ',
      );
      expect(readme).toContain(
        `first ceiling ${initialMs / 1000} s, doubling, capped at ${maxMs / 3_600_000} h`,
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('the README commands', () => {
  it('never run the CLI through pnpm without -s (its banner would go to stdout)', async () => {
    const text = (await shellBlocks()).join('\n');
    expect(text).not.toMatch(/pnpm esms\b/);
    const { stdout } = await run('pnpm', ['-s', 'esms', '--version'], { cwd: REPO_ROOT });
    const { version } = JSON.parse(
      await readFile(join(REPO_ROOT, 'packages/agent/package.json'), 'utf8'),
    ) as {
      version: string;
    };
    expect(stdout).toBe(`${version}\n`);
    const piped = await run(
      'pnpm',
      [
        '-s',
        'esms',
        'compute',
        '--input',
        'examples/sample-data',
        '--measure-date',
        '2024-04-01',
        '--format',
        'json',
      ],
      { cwd: REPO_ROOT, maxBuffer: 64 * 1024 * 1024 },
    );
    expect((JSON.parse(piped.stdout) as { measureDate: string }).measureDate).toBe('2024-04-01');
  });

  it('name verbs and flags the CLI has', async () => {
    const uses: Array<{ verb: string; flags: string[]; line: string }> = [];
    for (const block of await shellBlocks()) {
      for (const line of block.split('\n')) {
        const code = line.replace(/\s#.*$/, '');
        for (const match of code.matchAll(/\besms(?:-svc)? ([a-z][a-z-]+)((?:\s+[^|;&)]+)*)/g)) {
          const verb = match[1] ?? '';
          const flags = [...(match[2] ?? '').matchAll(/(?:^|\s)(--[a-z][a-z-]*)/g)].map((f) => f[1] ?? '');
          uses.push({ verb, flags, line });
        }
      }
    }
    expect(uses.length).toBeGreaterThan(10);
    const helps = new Map<string, string>();
    for (const { verb, flags, line } of uses) {
      if (!helps.has(verb)) {
        const help = await esms([verb, '--help']);
        expect(help.code, `${line}: esms ${verb} is not a verb`).toBe(0);
        helps.set(verb, help.stdout);
      }
      for (const flag of flags)
        expect(helps.get(verb), `${line}: esms ${verb} has no ${flag}`).toContain(flag);
    }
  });

  it('the helper for commands run by hand uses the paths of the unit and of esms init --system', async () => {
    const text = (await shellBlocks()).join('\n');
    const unit = await readFile(join(REPO_ROOT, 'examples/deploy/esms-agent.service'), 'utf8');
    const helper = /^esms-svc\(\) .*$/m.exec(text)?.[0] ?? '';
    expect(helper).toContain('. /etc/esms/esms.env');
    expect(unit).toContain('EnvironmentFile=-/etc/esms/esms.env');
    expect(helper).toContain('ESMS_CONFIG=/etc/esms/esms.config.yaml');
    expect(unit).toContain('Environment=ESMS_CONFIG=/etc/esms/esms.config.yaml');
    expect(helper).toContain('runuser -u esms -- /opt/esms/bin/esms');
    expect(unit).toContain('ExecStart=/opt/esms/bin/esms start');
    expect(text).toContain('npm install -g --prefix /opt/esms');
  });
});
