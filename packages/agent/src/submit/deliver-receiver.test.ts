import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Bundle, MeasureReport } from 'fhir/r4.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createReceiver, type Receiver } from '../../../../examples/receiver/receiver.mjs';
import { sampleReports } from './__fixtures__/measure-reports.js';
import { ArsClient } from './ars-client.js';
import { buildSubmission, SUBMISSION_IDENTIFIER_SYSTEM } from './build-submission.js';
import { deliverPending } from './deliver.js';
import { Outbox } from './outbox.js';
import { createRetryPolicy } from './retry-policy.js';

// The real thing on loopback: the agent's outbox and client against the reference receiver.
let root: string;
let receiver: Receiver;

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'esms-deliver-receiver-'));
  receiver = await createReceiver({ dataDir: join(root, 'ars') });
});
afterEach(async () => {
  await receiver.close();
  await rm(root, { recursive: true, force: true });
});

const CHILD_SCRIPT = fileURLToPath(new URL('./__fixtures__/deliver-child.ts', import.meta.url));
const REPO_ROOT = fileURLToPath(new URL('../../../../', import.meta.url));

async function waitFor(condition: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const started = performance.now();
  while (!condition()) {
    if (performance.now() - started > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

const policy = createRetryPolicy({ baseDelayMs: 5, maxDelayMs: 20, deadlineMs: 60_000 });

async function storedIdentifiers(): Promise<string[]> {
  const bundle = (await (await fetch(`${receiver.url}/MeasureReport`)).json()) as Bundle;
  return (bundle.entry ?? []).map((entry) => {
    const report = entry.resource as MeasureReport;
    return report.identifier?.find((i) => i.system === SUBMISSION_IDENTIFIER_SYSTEM)?.value ?? '';
  });
}

describe('delivery to the reference receiver', () => {
  it('ends with exactly one stored copy of each report when the receipt is lost after storing', async () => {
    const outbox = await Outbox.open({ dataDir: join(root, 'agent') });
    const submission = buildSubmission({ measureDate: '2024-04-01' }, sampleReports());
    await outbox.enqueue(submission);
    receiver.addFaults([{ dropAfterStore: true }, { status: 503, retryAfter: 0 }, { drop: true }]);
    const client = new ArsClient({ endpoint: receiver.url, proxy: false, timeoutMs: 5_000 });

    const outcomes = await deliverPending({ outbox, client, policy });

    expect(outcomes).toHaveLength(1);
    expect(outcomes[0]).toMatchObject({ id: submission.id, state: 'done', attempts: 4 });
    const receipt = outcomes[0]?.state === 'done' ? outcomes[0].receipt : undefined;
    const response = JSON.parse(receipt?.body ?? '{}') as Bundle;
    expect(response.type).toBe('transaction-response');
    // The first attempt stored everything; the final answer says so (ifNoneExist or the idempotency replay).
    expect(response.entry).toHaveLength(4);

    const identifiers = await storedIdentifiers();
    const expected = (submission.bundle.entry ?? []).map(
      (e) => (e.resource as MeasureReport).identifier?.[0]?.value ?? '',
    );
    expect(identifiers.sort()).toEqual(expected.sort());
    expect(receiver.stats()).toMatchObject({ storedReports: 4, requests: 4 });
    expect(receiver.stats().duplicatesAvoided).toBeGreaterThanOrEqual(4);
  });

  it('times out on a slow ARS, re-sends while the first copy is still processing, and still keeps one copy', async () => {
    const outbox = await Outbox.open({ dataDir: join(root, 'agent') });
    const submission = buildSubmission({ measureDate: '2024-04-01' }, sampleReports());
    await outbox.enqueue(submission);
    receiver.addFaults([{ delayMs: 400 }]);
    const client = new ArsClient({ endpoint: receiver.url, proxy: false, timeoutMs: 100 });
    const outcomes = await deliverPending({ outbox, client, policy });
    expect(outcomes).toMatchObject([{ id: submission.id, state: 'done' }]);
    // At least the timed-out attempt and the one that got the answer (a loaded machine may time out more).
    expect(outcomes[0]?.state === 'done' && outcomes[0].attempts).toBeGreaterThanOrEqual(2);
    // Let the slow first request finish on the receiver's side.
    await waitFor(
      () => receiver.stats().duplicatesAvoided + receiver.stats().idempotentReplays >= 4,
      'the slow request',
    );
    expect(await storedIdentifiers()).toHaveLength(4);
    expect(receiver.stats().storedReports).toBe(4);
  });

  it('survives kill -9 mid-submission: the restarted agent re-sends and the ARS keeps one copy', async () => {
    const dataDir = join(root, 'agent');
    // The ARS takes its time before storing, so the agent is killed with the request in flight.
    receiver.addFaults([{ delayMs: 300 }]);
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD_SCRIPT, dataDir, receiver.url], {
      cwd: REPO_ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const exited = new Promise<NodeJS.Signals | null>((resolve) =>
      child.once('exit', (_code, signal) => resolve(signal)),
    );
    // The fault is taken once the whole request has arrived: the kill then lands mid-processing.
    await waitFor(() => receiver.stats().faultsApplied === 1, 'the request to reach the receiver');
    child.kill('SIGKILL');
    expect(await exited).toBe('SIGKILL');
    await waitFor(() => receiver.stats().storedReports === 4, 'the receiver to store the reports');

    const restarted = await Outbox.open({ dataDir });
    const pending = (await restarted.list()).pending;
    expect(pending).toHaveLength(1);
    // Recomputing the same figures at restart enqueues nothing new.
    const again = buildSubmission({ measureDate: '2024-04-01' }, sampleReports());
    expect(await restarted.enqueue(again)).toEqual({ id: again.id, created: false, state: 'pending' });
    const client = new ArsClient({ endpoint: receiver.url, proxy: false, timeoutMs: 5_000 });
    const outcomes = await deliverPending({ outbox: restarted, client, policy });
    expect(outcomes).toMatchObject([{ id: again.id, state: 'done' }]);
    expect(await storedIdentifiers()).toHaveLength(4);
    expect(receiver.stats()).toMatchObject({ storedReports: 4, requests: 2, duplicatesAvoided: 4 });
    // A later run has nothing left to send.
    expect(await deliverPending({ outbox: restarted, client, policy })).toEqual([]);
  });

  it('keeps a refused submission as failed with the receiver’s reason', async () => {
    const outbox = await Outbox.open({ dataDir: join(root, 'agent') });
    const reports = sampleReports();
    const bad = reports[0];
    if (bad?.group?.[0]?.population?.[2]) bad.group[0].population[2].count = 500; // numerator > denominator
    const submission = buildSubmission({ measureDate: '2024-04-01' }, reports);
    await outbox.enqueue(submission);
    const client = new ArsClient({ endpoint: receiver.url, proxy: false, timeoutMs: 5_000 });
    const outcomes = await deliverPending({ outbox, client, policy });
    expect(outcomes[0]).toMatchObject({
      state: 'failed',
      failure: { code: 'submission-permanent', status: 400 },
    });
    const reason = outcomes[0]?.state === 'failed' ? outcomes[0].failure.reason : '';
    expect(reason).toContain('Bundle.entry[0]');
    expect(reason).toContain('numerator 500 exceeds denominator 90');
    expect(await storedIdentifiers()).toEqual([]);
  });
});
