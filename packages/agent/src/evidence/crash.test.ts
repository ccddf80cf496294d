import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyEvidence } from './verify.js';
import { toyRules } from './__fixtures__/toy-rules.js';

const SCRIPT = fileURLToPath(new URL('./__fixtures__/append-loop.ts', import.meta.url));
const REPO_ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
const ITERATIONS = 3;
/** Upper bound of the random delay between the first acknowledged entry and the kill. */
const MAX_KILL_DELAY_MS = 60;

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'esms-crash-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Runs the appender until it has acknowledged one entry, then SIGKILLs it after a random delay. */
function runAndKill(): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', SCRIPT, dir], {
      cwd: REPO_ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let lastAcked = 0;
    let output = '';
    let stderr = '';
    let scheduled = false;
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      output += chunk;
      for (const match of output.matchAll(/acked (\d+)\n/g))
        lastAcked = Math.max(lastAcked, Number(match[1]));
      if (lastAcked > 0 && !scheduled) {
        scheduled = true;
        setTimeout(() => child.kill('SIGKILL'), Math.floor(Math.random() * MAX_KILL_DELAY_MS));
      }
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
    });
    child.on('error', reject);
    child.on('exit', (_code, signal) => {
      if (signal !== 'SIGKILL') reject(new Error(`appender exited by itself: ${stderr}`));
      else resolve(lastAcked);
    });
  });
}

describe('a store written by a process killed at random points', () => {
  it('verifies up to the last complete entry, and keeps growing after each crash', async () => {
    let previousAcked = 0;
    for (let iteration = 0; iteration < ITERATIONS; iteration += 1) {
      const acked = await runAndKill();
      expect(acked).toBeGreaterThan(previousAcked);
      const report = await verifyEvidence(dir, { rules: toyRules });
      const errors = report.findings.filter((f) => f.severity === 'error');
      expect(errors).toEqual([]);
      // Every acknowledged entry is there; at most one more (written but not yet acknowledged) too.
      expect(report.summary.lastSeq).toBeGreaterThanOrEqual(acked);
      expect(report.summary.lastSeq).toBeLessThanOrEqual(acked + 1);
      // A kill between a run's two entries leaves a run whose submission was never sealed: a warning.
      expect(
        report.findings.every(
          (f) =>
            f.check === 'incomplete-last-entry' ||
            (f.check === 'evidence-seal' && f.severity === 'warning' && f.message.includes('never was')),
        ),
      ).toBe(true);
      previousAcked = report.summary.lastSeq ?? 0;
    }
  });
});
