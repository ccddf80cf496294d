import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { delay, http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { countReport, rateReport } from './__fixtures__/measure-reports.js';
import { ArsClient } from './ars-client.js';
import { buildSubmission, type Submission } from './build-submission.js';
import { deliverPending, type DeliveryLogger } from './deliver.js';
import { Outbox } from './outbox.js';
import { createRetryPolicy } from './retry-policy.js';
import type { Sleep } from '../http/sleep.js';

const ENDPOINT = 'https://ars.test/fhir';
const ok = {
  resourceType: 'Bundle',
  type: 'transaction-response',
  entry: [{ response: { status: '201 Created' } }],
};

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

let dataDir: string;
/** A fake clock that only the fake sleep moves: retries take no real time. */
let clock: number;
let sleeps: number[];
const now = (): Date => new Date(clock);
const fakeSleep: Sleep = (ms) => {
  sleeps.push(ms);
  clock += ms;
  return Promise.resolve();
};

beforeEach(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'esms-deliver-'));
  clock = Date.parse('2024-04-01T06:00:00.000Z');
  sleeps = [];
});
afterEach(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

function submission(count = 97): Submission {
  return buildSubmission({ measureDate: '2024-04-01' }, [rateReport(), countReport({ count })]);
}

function setup(policyOptions: Parameters<typeof createRetryPolicy>[0] = {}, timeoutMs = 5_000) {
  const client = new ArsClient({ endpoint: ENDPOINT, proxy: false, now, timeoutMs });
  const policy = createRetryPolicy({
    baseDelayMs: 1_000,
    maxDelayMs: 60_000,
    random: () => 0.5,
    ...policyOptions,
  });
  return { client, policy };
}

/** Answers the queued responses in order, then 200; records the idempotency keys it saw. */
function arsAnswering(...answers: Array<() => Response | Promise<Response>>): string[] {
  const keys: string[] = [];
  server.use(
    http.post(ENDPOINT, ({ request }) => {
      keys.push(request.headers.get('idempotency-key') ?? '');
      const answer = answers.shift();
      return answer === undefined ? HttpResponse.json(ok) : answer();
    }),
  );
  return keys;
}

const status =
  (code: number, headers: Record<string, string> = {}) =>
  () =>
    new HttpResponse(
      JSON.stringify({
        resourceType: 'OperationOutcome',
        issue: [{ severity: 'error', code: 'processing', diagnostics: `failure ${code}` }],
      }),
      {
        status: code,
        headers,
      },
    );

describe('deliverPending', () => {
  it('retries a burst of 500s with backoff, then stores the receipt in done/', async () => {
    const outbox = await Outbox.open({ dataDir, now });
    const s = submission();
    await outbox.enqueue(s);
    const keys = arsAnswering(status(500), status(502), status(503));
    const logs: string[] = [];
    const logger: DeliveryLogger = {
      info: (details, message) => logs.push(`${message} ${JSON.stringify(details)}`),
      warn: (details, message) => logs.push(`${message} ${JSON.stringify(details)}`),
      error: (details, message) => logs.push(`${message} ${JSON.stringify(details)}`),
    };
    const outcomes = await deliverPending({ outbox, ...setup(), sleep: fakeSleep, now, logger });
    expect(outcomes).toHaveLength(1);
    expect(outcomes[0]).toMatchObject({ id: s.id, state: 'done', attempts: 4, receipt: { status: 200 } });
    expect(keys).toEqual([s.id, s.id, s.id, s.id]);
    // Full jitter with random() = 0.5: half of 1 s, 2 s, 4 s.
    expect(sleeps).toEqual([500, 1_000, 2_000]);
    const listing = await outbox.list();
    expect(listing.pending).toEqual([]);
    expect(listing.done[0]?.receipt?.body).toBe(JSON.stringify(ok));
    expect(logs.join('\n')).not.toContain(s.body);
  });

  it('waits as long as Retry-After says', async () => {
    const outbox = await Outbox.open({ dataDir, now });
    await outbox.enqueue(submission());
    arsAnswering(status(429, { 'Retry-After': '30' }));
    const outcomes = await deliverPending({ outbox, ...setup(), sleep: fakeSleep, now });
    expect(outcomes[0]?.state).toBe('done');
    expect(sleeps).toEqual([30_000]);
  });

  it('keeps a refused submission in failed/ with the ARS’s reason, without retrying', async () => {
    const outbox = await Outbox.open({ dataDir, now });
    const s = submission();
    await outbox.enqueue(s);
    const keys = arsAnswering(status(422));
    const outcomes = await deliverPending({ outbox, ...setup(), sleep: fakeSleep, now });
    expect(keys).toHaveLength(1);
    expect(outcomes[0]).toMatchObject({
      id: s.id,
      state: 'failed',
      attempts: 1,
      failure: { code: 'submission-permanent', status: 422 },
    });
    const failed = (await outbox.list()).failed;
    expect(failed[0]?.failure?.reason).toContain('failure 422');
    // Not retried at the next run either.
    await deliverPending({ outbox, ...setup(), sleep: fakeSleep, now });
    expect(keys).toHaveLength(1);
  });

  it('gives up at the deadline and keeps the item as failed with submission-deadline', async () => {
    const outbox = await Outbox.open({ dataDir, now });
    const s = submission();
    await outbox.enqueue(s);
    server.use(http.post(ENDPOINT, status(503)));
    const outcomes = await deliverPending({
      outbox,
      ...setup({ baseDelayMs: 1_000, maxDelayMs: 4_000, deadlineMs: 10_000 }),
      sleep: fakeSleep,
      now,
    });
    expect(outcomes[0]).toMatchObject({
      state: 'failed',
      failure: { code: 'submission-deadline', status: 503 },
    });
    // 0.5 s, 1 s, then the 4 s cap (jittered to 2 s), the last wait clamped to the 0.5 s left: the
    // last try is at the deadline.
    expect(sleeps).toEqual([500, 1_000, 2_000, 2_000, 2_000, 2_000, 500]);
    expect(sleeps.reduce((a, b) => a + b)).toBe(10_000);
    expect(outcomes[0]).toMatchObject({ attempts: 8 });
    expect((await outbox.list()).failed.map((i) => i.id)).toEqual([s.id]);
  });

  it('re-sends with the same id after a timeout (the answer never arrived)', async () => {
    const outbox = await Outbox.open({ dataDir, now });
    const s = submission();
    await outbox.enqueue(s);
    const keys = arsAnswering(
      async () => {
        await delay(3_000);
        return HttpResponse.json(ok);
      },
      () => HttpResponse.error(),
    );
    const outcomes = await deliverPending({ outbox, ...setup({}, 100), sleep: fakeSleep, now });
    expect(outcomes[0]?.state).toBe('done');
    expect(keys).toEqual([s.id, s.id, s.id]);
    expect((await outbox.list()).done[0]?.attempts).toBe(3);
  });

  it('stops between attempts on abort, leaving the item pending, and resumes after a restart', async () => {
    const outbox = await Outbox.open({ dataDir, now });
    const s = submission();
    await outbox.enqueue(s);
    arsAnswering(status(503));
    const controller = new AbortController();
    const abortingSleep: Sleep = async (ms, signal) => {
      controller.abort(); // SIGTERM while waiting
      await fakeSleep(ms, signal);
    };
    const first = await deliverPending({
      outbox,
      ...setup(),
      sleep: abortingSleep,
      now,
      signal: controller.signal,
    });
    expect(first).toEqual([{ id: s.id, state: 'pending', attempts: 1, reason: 'aborted' }]);
    const pending = (await outbox.list()).pending;
    expect(pending.map((i) => [i.id, i.attempts, i.lastStatus])).toEqual([[s.id, 1, 503]]);

    // "Restart": a new outbox on the same directory; the recorded nextAttemptAt is honoured.
    const restarted = await Outbox.open({ dataDir, now });
    sleeps = [];
    clock -= 500; // the restart happened before the planned retry time
    const second = await deliverPending({ outbox: restarted, ...setup(), sleep: fakeSleep, now });
    expect(sleeps).toEqual([500]);
    expect(second).toMatchObject([{ id: s.id, state: 'done', attempts: 2 }]);
  });

  it('lets a ready item go while another waits for its Retry-After', async () => {
    const outbox = await Outbox.open({ dataDir, now });
    const slow = submission(1);
    await outbox.enqueue(slow);
    clock += 1;
    const quick = submission(2);
    await outbox.enqueue(quick);
    const order: string[] = [];
    let slowCalls = 0;
    server.use(
      http.post(ENDPOINT, ({ request }) => {
        const key = request.headers.get('idempotency-key') ?? '';
        order.push(key === slow.id ? 'slow' : 'quick');
        if (key === slow.id && slowCalls++ === 0) return status(503, { 'Retry-After': '3600' })();
        return HttpResponse.json(ok);
      }),
    );
    const outcomes = await deliverPending({ outbox, ...setup(), sleep: fakeSleep, now });
    expect(order).toEqual(['slow', 'quick', 'slow']);
    expect(outcomes.map((o) => o.state)).toEqual(['done', 'done']);
  });

  it('reports a corrupt outbox file and still delivers the others', async () => {
    const outbox = await Outbox.open({ dataDir, now });
    await outbox.enqueue(submission());
    const bad = join(dataDir, 'outbox', 'pending', `${'e'.repeat(64)}.json`);
    await writeFile(bad, 'not json');
    arsAnswering();
    const outcomes = await deliverPending({ outbox, ...setup(), sleep: fakeSleep, now });
    expect(outcomes.map((o) => o.state).sort()).toEqual(['corrupt', 'done']);
    const corrupt = outcomes.find((o) => o.state === 'corrupt');
    expect(corrupt?.state === 'corrupt' && corrupt.file).toBe(bad);
  });
});
