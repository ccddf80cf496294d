import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { measureEvidence } from './evidence-bench.js';

const REPO = fileURLToPath(new URL('../../../', import.meta.url));
const scratch: string[] = [];
afterAll(async () => {
  for (const dir of scratch) await rm(dir, { recursive: true, force: true });
});

describe('measureEvidence (the bench’s run-once and verify columns)', () => {
  it('seals runs of the sample data with keys made as an installation makes them, verifies each, keeps the medians', async () => {
    const workDir = await mkdtemp(join(tmpdir(), 'esms-evidence-bench-'));
    scratch.push(workDir);
    const figures = await measureEvidence({
      // Built by `pnpm build`, which runs before the tests.
      engineMain: join(REPO, 'packages', 'agent', 'dist', 'main.js'),
      inputDir: join(REPO, 'examples', 'sample-data'),
      establishments: ['750006827', '970407680'],
      measureDate: '2024-04-01',
      workDir,
      cwd: REPO,
      runs: 2,
    });
    expect(figures.error).toBeNull();
    expect(figures.ok).toBe(true);
    expect(figures.evidenceBytesPerRun).toBeGreaterThan(0);
    expect(figures.sealSeconds).toBeGreaterThan(0);
    expect(figures.verifySeconds).toBeGreaterThan(0);
    // Each of the runs sealed its own store (the median of two is their mean).
    for (const run of ['run-1', 'run-2'])
      expect((await readdir(join(workDir, run, 'data', 'evidence'))).length).toBeGreaterThan(0);
  });
});
