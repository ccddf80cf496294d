import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { esms, killChildren, REPO_ROOT } from './support/processes.js';

// Each verb's module is imported only when that verb runs (issue 13: start-up), and its heavy parts only
// when its action needs them. The usage must not change for it: `esms --help` (every verb loaded) and each
// `esms VERB --help` (that verb alone) are compared with the text the CLI printed before that work, kept in
// test/fixtures/help/. A verb whose options change updates its file: `node packages/agent/bin/esms.js VERB
// --help > test/fixtures/help/VERB.txt`.
const HELP = join(REPO_ROOT, 'test/fixtures/help');
const VERBS = [
  'compute',
  'init',
  'validate-config',
  'run-once',
  'start',
  'status',
  'verify',
  'export-evidence',
  'report',
  'export',
  'resend',
  'rotate-key',
  'serve',
];

afterAll(async () => {
  await killChildren();
});

describe.concurrent('the usage of esms (built CLI)', () => {
  it('esms --help lists every verb, as before the verbs were loaded lazily', async () => {
    const help = await esms(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toBe(await readFile(join(HELP, 'esms.txt'), 'utf8'));
    for (const verb of VERBS) expect(help.stdout).toMatch(new RegExp(`^  ${verb} `, 'm'));
  });

  it.each(VERBS)('esms %s --help prints the same usage as before', async (verb) => {
    const help = await esms([verb, '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toBe(await readFile(join(HELP, `${verb}.txt`), 'utf8'));
  });

  it('esms --version prints the version without loading any verb', async () => {
    const version = await esms(['--version']);
    expect(version.code).toBe(0);
    const pkg = JSON.parse(await readFile(join(REPO_ROOT, 'packages/agent/package.json'), 'utf8')) as {
      version: string;
    };
    expect(version.stdout).toBe(`${pkg.version}\n`);
  });
});
