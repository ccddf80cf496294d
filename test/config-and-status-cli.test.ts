import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FIXTURE_EXPORT } from './support/expectations.js';
import { cleanUpLoopbacks, loopbackAgent } from './support/loopback.js';
import { esms, killChildren } from './support/processes.js';

// Audit G12: contract.md §4 lets a config list no ESSMS (every ESSMS of the data); and `esms status`
// must not say the evidence agrees while a line of the journal cannot be read.
let scratch: string;
beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'esms-e2e-g12-'));
});
afterAll(async () => {
  await killChildren();
  await cleanUpLoopbacks();
  await rm(scratch, { recursive: true, force: true });
});

describe('config without ESSMS; status after journal damage (built CLI)', () => {
  it('validate-config accepts `establishments: []` and no establishments key, as the whole data', async () => {
    for (const [name, head] of [
      ['empty', 'establishments: []\n'],
      ['absent', ''],
    ] as const) {
      const config = join(scratch, `${name}.yaml`);
      await writeFile(
        config,
        `${head}sources:\n  - { type: ndjson, paths: [${JSON.stringify(FIXTURE_EXPORT)}] }\ndataDir: ${JSON.stringify(join(scratch, name))}\n`,
      );
      const valid = await esms(['validate-config', '--config', config]);
      expect(valid.code, `${name}: ${valid.stderr}`).toBe(0);
      expect(valid.stdout).toContain('config OK');
    }
  });

  it('status names an unreadable journal line instead of only saying the last run agrees', async () => {
    const { home } = await loopbackAgent({ ndjsonDir: FIXTURE_EXPORT });
    expect((await esms(['run-once', '--config', home.configPath, '--measure-date', '2024-03-01'])).code).toBe(
      0,
    );
    expect((await esms(['run-once', '--config', home.configPath, '--measure-date', '2024-04-01'])).code).toBe(
      0,
    );
    const journal = join(home.dataDir, 'evidence', 'journal.ndjson');
    const lines = (await readFile(journal, 'utf8')).split('\n');
    lines[1] = '{"seq": 2, "damaged": tru';
    await writeFile(journal, lines.join('\n'));
    const status = await esms(['status', '--config', home.configPath]);
    expect(status.code, status.stdout).toBe(1);
    expect(status.stdout).toMatch(/journal line 2 is unreadable/);
    expect(status.stdout).toContain('[evidence-journal-damaged]');
    const json = await esms(['status', '--config', home.configPath, '--format', 'json']);
    expect(
      (JSON.parse(json.stdout) as { evidence: { unreadableLines: number[] } }).evidence.unreadableLines,
    ).toEqual([2]);
  });
});
