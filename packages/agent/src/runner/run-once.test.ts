import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createReceiver, type Receiver } from '../../../../examples/receiver/receiver.mjs';
import { DUI_SMALL_NDJSON, collectingLogger } from '../daemon/__fixtures__/daemon-harness.js';
import { readJournalEntries } from '../evidence/journal.js';
import { verifyEvidence } from '../evidence/verify.js';
import { openAgentContext, type AgentContext } from './agent-context.js';
import { runDependencies } from './run-dependencies.js';
import { runOnce } from './run-once.js';

let root: string;
let receiver: Receiver;

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'esms-run-once-'));
  receiver = await createReceiver({ dataDir: join(root, 'ars') });
});
afterEach(async () => {
  await receiver.close();
  await rm(root, { recursive: true, force: true });
});

async function context(): Promise<AgentContext> {
  const path = join(root, 'esms.config.yaml');
  await writeFile(
    path,
    [
      'establishments:',
      '  - finess: "970400024"',
      'sources:',
      `  - { type: ndjson, paths: [${JSON.stringify(DUI_SMALL_NDJSON)}] }`,
      'ars:',
      `  endpoint: ${receiver.url}`,
      '  retry: { initialDelayMs: 1, maxDelayMs: 5, deadlineHours: 72 }',
      `dataDir: ${JSON.stringify(join(root, 'data'))}`,
      '',
    ].join('\n'),
  );
  return openAgentContext(path, { logger: collectingLogger().logger });
}

describe('runOnce', () => {
  it('a second run with the same figures sends nothing twice, and its seal gets the receipt too', async () => {
    const ctx = await context();
    const first = await runOnce(runDependencies(ctx), { trigger: 'manual', measureDate: '2024-04-01' });
    const stored = receiver.stats().storedReports;
    const second = await runOnce(runDependencies(ctx), { trigger: 'manual', measureDate: '2024-04-01' });

    expect(first.outcome).toBe('submitted');
    expect(second.outcome).toBe('submitted');
    expect(second.submissionId).toBe(first.submissionId);
    expect(receiver.stats().storedReports).toBe(stored);
    expect(receiver.stats().accepted).toBe(1);

    const entries = await readJournalEntries(join(root, 'data', 'evidence'));
    expect(entries.map((e) => [e.type, e.payload['runId']])).toEqual([
      ['run-sealed', first.runId],
      ['submission-receipt', first.runId],
      ['run-sealed', second.runId],
      ['submission-receipt', second.runId],
    ]);
    const verification = await verifyEvidence(join(root, 'data', 'evidence'));
    expect(verification.ok).toBe(true);
  });
});
