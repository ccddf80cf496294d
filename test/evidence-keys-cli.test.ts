import { access, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FIXTURE_EXPORT } from './support/expectations.js';
import { esms, killChildren } from './support/processes.js';
import { cleanUpLoopbacks, loopbackAgent } from './support/loopback.js';

afterAll(async () => {
  await killChildren();
  await cleanUpLoopbacks();
});

const MEASURE_DATE = '2024-04-01';

describe('a run never creates an evidence key (follow-up F3)', () => {
  it('dataDir changed after init: run-once exits 3 naming the fix, writes no key; init --keys-only then a run verifies', async () => {
    const { home } = await loopbackAgent({ ndjsonDir: FIXTURE_EXPORT });
    const moved = join(home.dir, 'elsewhere');
    const yaml = await readFile(home.configPath, 'utf8');
    await writeFile(
      home.configPath,
      yaml.replace(`dataDir: ${JSON.stringify(home.dataDir)}`, `dataDir: ${JSON.stringify(moved)}`),
    );

    const run = await esms(['run-once', '--config', home.configPath, '--measure-date', MEASURE_DATE]);
    expect(run.code, run.stderr).toBe(3);
    expect(run.stderr).toMatch(/no evidence signing key at .*a run never creates one/);
    expect(run.stderr).toContain(`esms init --keys-only --config ${home.configPath}`);
    await expect(access(join(moved, 'evidence', 'evidence-key.pem'))).rejects.toThrow();

    // The installation's own step, on purpose: the fingerprint printed is the one the runs sign with.
    const init = await esms(['init', '--keys-only', '--config', home.configPath]);
    expect(init.code, init.stderr).toBe(0);
    const fingerprint = /fingerprint: ([0-9a-f ]+)\n/.exec(init.stdout)?.[1];
    expect(fingerprint).toBeDefined();
    expect(await readFile(home.configPath, 'utf8')).toContain(JSON.stringify(moved));
    const again = await esms(['run-once', '--config', home.configPath, '--measure-date', MEASURE_DATE]);
    expect(again.code, again.stderr).toBe(0);
    const verify = await esms(['verify', join(moved, 'evidence'), '--fingerprint', fingerprint ?? '']);
    expect(verify.code, verify.stdout + verify.stderr).toBe(0);
  });
});
