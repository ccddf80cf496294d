import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isAgentError } from '../errors.js';
import { countReport, sampleReports } from './__fixtures__/measure-reports.js';
import { buildSubmission, type Submission } from './build-submission.js';
import { Outbox } from './outbox.js';
import { isOutboxCorruptError } from './outbox-corrupt-error.js';
import type { SubmissionReceipt } from './receipt.js';

const T0 = new Date('2024-04-01T06:00:00.000Z');
let dataDir: string;

beforeEach(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'esms-outbox-'));
});
afterEach(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

function submission(count = 97): Submission {
  return buildSubmission({ measureDate: '2024-04-01' }, [countReport({ count })]);
}

const receipt: SubmissionReceipt = {
  status: 200,
  headers: { 'content-type': 'application/fhir+json' },
  body: '{"resourceType":"Bundle","type":"transaction-response"}',
  receivedAt: '2024-04-01T06:00:01.000Z',
};

async function files(state: string): Promise<string[]> {
  return (await readdir(join(dataDir, 'outbox', state))).sort();
}

describe('Outbox', () => {
  it('writes a submission durably into pending/ with its exact bytes', async () => {
    const outbox = await Outbox.open({ dataDir, now: () => T0 });
    const s = buildSubmission({ measureDate: '2024-04-01' }, sampleReports());
    expect(await outbox.enqueue(s)).toEqual({ id: s.id, created: true, state: 'pending' });
    expect(await files('pending')).toEqual([`${s.id}.json`]);
    const stored = JSON.parse(await readFile(join(dataDir, 'outbox', 'pending', `${s.id}.json`), 'utf8')) as {
      body: string;
    };
    expect(stored.body).toBe(s.body);
    const entry = await outbox.get(s.id);
    expect(entry?.state).toBe('pending');
    expect(entry?.item).toMatchObject({
      id: s.id,
      attempts: 0,
      createdAt: T0.toISOString(),
      measureDate: '2024-04-01',
    });
  });

  it('never queues the same id twice, pending or done', async () => {
    const outbox = await Outbox.open({ dataDir, now: () => T0 });
    const s = submission();
    await outbox.enqueue(s);
    expect(await outbox.enqueue(s)).toEqual({ id: s.id, created: false, state: 'pending' });
    await outbox.markDone(s.id, receipt);
    expect(await outbox.enqueue(s)).toEqual({ id: s.id, created: false, state: 'done' });
    expect(await files('pending')).toEqual([]);
    expect(await files('done')).toEqual([`${s.id}.json`]);
    // Different figures are a different submission.
    expect((await outbox.enqueue(submission(98))).created).toBe(true);
  });

  it('keeps the receipt with the item it moves to done/', async () => {
    const outbox = await Outbox.open({ dataDir, now: () => T0 });
    const s = submission();
    await outbox.enqueue(s);
    const done = await outbox.markDone(s.id, receipt);
    expect(done.receipt).toEqual(receipt);
    expect(done.attempts).toBe(1);
    const listing = await outbox.list();
    expect(listing.pending).toEqual([]);
    expect(listing.done.map((i) => [i.id, i.receipt])).toEqual([[s.id, receipt]]);
    // Marking again is harmless.
    expect((await outbox.markDone(s.id, { ...receipt, status: 201 })).receipt.status).toBe(200);
  });

  it('records attempts and keeps a permanent failure in failed/ for good', async () => {
    const outbox = await Outbox.open({ dataDir, now: () => T0 });
    const s = submission();
    await outbox.enqueue(s);
    const next = new Date(T0.getTime() + 5_000);
    const recorded = await outbox.recordAttempt(s.id, {
      error: 'The ARS answered 503',
      status: 503,
      nextAttemptAt: next,
    });
    expect(recorded).toMatchObject({ attempts: 1, lastStatus: 503, nextAttemptAt: next.toISOString() });
    const failed = await outbox.markFailed(s.id, {
      code: 'submission-permanent',
      reason: 'invalid FINESS',
      status: 422,
    });
    expect(failed.failure).toEqual({
      code: 'submission-permanent',
      reason: 'invalid FINESS',
      status: 422,
      at: T0.toISOString(),
    });
    expect(await files('failed')).toEqual([`${s.id}.json`]);
    expect(await files('pending')).toEqual([]);
    // Re-enqueueing the same figures does not retry blindly.
    expect(await outbox.enqueue(s)).toEqual({ id: s.id, created: false, state: 'failed' });
    // An operator may requeue it explicitly.
    const requeued = await outbox.requeue(s.id);
    expect(requeued).toMatchObject({ attempts: 0, lastError: 'submission-permanent: invalid FINESS' });
    expect(await files('pending')).toEqual([`${s.id}.json`]);
  });

  it('resumes pending items after a restart (a new instance on the same directory)', async () => {
    const first = await Outbox.open({ dataDir, now: () => T0 });
    const a = submission(1);
    const b = submission(2);
    await first.enqueue(a);
    await first.enqueue(b);
    await first.recordAttempt(a.id, { error: 'timeout' });
    const second = await Outbox.open({ dataDir });
    const listing = await second.list();
    expect(listing.pending.map((i) => i.id).sort()).toEqual([a.id, b.id].sort());
    expect(listing.pending.find((i) => i.id === a.id)?.attempts).toBe(1);
    expect(listing.corrupt).toEqual([]);
  });

  it('cleans a temp file left by a crash mid-write and ignores it meanwhile', async () => {
    const outbox = await Outbox.open({ dataDir, now: () => T0 });
    const s = submission();
    await outbox.enqueue(s);
    const leftover = join(dataDir, 'outbox', 'pending', `.${s.id}.json.a1b2c3.tmp`);
    await writeFile(leftover, '{"formatVersion":1,"id":"'); // cut short
    expect((await outbox.list()).corrupt).toEqual([]);
    await Outbox.open({ dataDir });
    expect(await files('pending')).toEqual([`${s.id}.json`]);
  });

  it('reports an unparsable item as outbox-corrupt naming the file, and keeps it', async () => {
    const outbox = await Outbox.open({ dataDir, now: () => T0 });
    const good = submission(1);
    await outbox.enqueue(good);
    const badId = 'f'.repeat(64);
    const badFile = join(dataDir, 'outbox', 'pending', `${badId}.json`);
    await writeFile(badFile, '{"formatVersion":1,"id":"ffff');
    const listing = await (await Outbox.open({ dataDir })).list();
    expect(listing.pending.map((i) => i.id)).toEqual([good.id]);
    expect(listing.corrupt).toHaveLength(1);
    expect(listing.corrupt[0]?.code).toBe('outbox-corrupt');
    expect(listing.corrupt[0]?.file).toBe(badFile);
    expect(listing.corrupt[0]?.message).toContain(badFile);
    expect(await readFile(badFile, 'utf8')).toBe('{"formatVersion":1,"id":"ffff');
    // The same id cannot be silently overwritten either.
    await expect(outbox.get(badId)).rejects.toSatisfy(isOutboxCorruptError);
  });

  it('detects a body that no longer matches its digest', async () => {
    const outbox = await Outbox.open({ dataDir, now: () => T0 });
    const s = submission();
    await outbox.enqueue(s);
    const file = join(dataDir, 'outbox', 'pending', `${s.id}.json`);
    const text = await readFile(file, 'utf8');
    await writeFile(file, text.replace('"count\\":97', '"count\\":98'));
    const listing = await outbox.list();
    expect(listing.pending).toEqual([]);
    expect(listing.corrupt[0]?.message).toMatch(/SHA-256/);
  });

  it('finishes a move to done/ that a crash interrupted after the receipt was written', async () => {
    const outbox = await Outbox.open({ dataDir, now: () => T0 });
    const s = submission();
    await outbox.enqueue(s);
    // Simulate: receipt stored in pending/ (first step of markDone), crash before the rename.
    const file = join(dataDir, 'outbox', 'pending', `${s.id}.json`);
    const item = JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>;
    await writeFile(file, JSON.stringify({ ...item, receipt }));
    const reopened = await Outbox.open({ dataDir });
    expect((await reopened.get(s.id))?.state).toBe('done');
    expect(await files('pending')).toEqual([]);
  });

  it('refuses ids that are not SHA-256 hex (they become file names)', async () => {
    const outbox = await Outbox.open({ dataDir });
    const error: unknown = await outbox
      .enqueue({ id: '../../etc/passwd', body: '{}', createdFrom: { measureDate: '2024-04-01' } })
      .catch((e: unknown) => e);
    expect(isAgentError(error)).toBe(true);
    expect(await files('pending')).toEqual([]);
  });
});
