import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { runDependencies } from '../runner/run-dependencies.js';
import { runOnce } from '../runner/run-once.js';
import { listRunRecords, writeRunRecord, type RunRecord } from '../runner/run-records.js';
import { Agent } from './agent.js';
import {
  controllablePipeline,
  nothingToResume,
  tempAgentContext,
  type TempAgent,
} from './__fixtures__/daemon-harness.js';

// Only timers and Date are faked: file-system promises (config, run records) keep working.
const FAKE = ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'] as const;

let temp: TempAgent | undefined;
let agent: Agent | undefined;

afterEach(async () => {
  await agent?.stop();
  agent = undefined;
  vi.useRealTimers();
  await temp?.cleanup();
  temp = undefined;
});

async function advanceTo(iso: string): Promise<void> {
  await vi.advanceTimersByTimeAsync(Date.parse(iso) - Date.now());
}

function logged(t: TempAgent, message: string): Array<Record<string, unknown>> {
  return t.logs.records().filter((r) => r['msg'] === message);
}

describe('Agent schedule (node-cron, fake clock)', () => {
  it.each([
    // Paris in summer time (UTC+2 since 31 March 2024 02:00): 05:00 local is 03:00 UTC.
    {
      timezone: 'Europe/Paris',
      from: '2024-03-31T12:00:00Z',
      due: '2024-04-01T03:00:00.000Z',
      measureDate: '2024-04-01',
    },
    // Paris in winter (UTC+1).
    {
      timezone: 'Europe/Paris',
      from: '2024-01-31T12:00:00Z',
      due: '2024-02-01T04:00:00.000Z',
      measureDate: '2024-02-01',
    },
    // Réunion, UTC+4 all year: 05:00 local on the 1st is 01:00 UTC.
    {
      timezone: 'Indian/Reunion',
      from: '2024-03-31T12:00:00Z',
      due: '2024-04-01T01:00:00.000Z',
      measureDate: '2024-04-01',
    },
  ])(
    'fires the monthly run at 05:00 local time in $timezone ($due)',
    async ({ timezone, from, due, measureDate }) => {
      temp = await tempAgentContext({ timezone, catchUp: false });
      vi.useFakeTimers({ now: new Date(from), toFake: [...FAKE] });
      const pipeline = controllablePipeline('immediate');
      agent = new Agent({ context: temp.ctx, runOnce: pipeline.run, resumePending: nothingToResume });
      await agent.start();
      expect(agent.nextRun()?.toISOString()).toBe(due);

      await advanceTo(new Date(Date.parse(due) - 1_000).toISOString());
      expect(pipeline.calls).toHaveLength(0);

      await vi.advanceTimersByTimeAsync(1_000);
      expect(pipeline.calls).toHaveLength(1);
      expect(pipeline.calls[0]?.startedAt.toISOString()).toBe(due);
      expect(pipeline.calls[0]?.options).toMatchObject({ trigger: 'schedule', measureDate });

      // Nothing more until next month.
      await vi.advanceTimersByTimeAsync(20 * 24 * 3_600_000);
      expect(pipeline.calls).toHaveLength(1);
    },
  );

  it('skips (and logs) a tick that comes while the previous run is still going, never doubling it', async () => {
    temp = await tempAgentContext({ cron: '* * * * *', catchUp: false });
    vi.useFakeTimers({ now: new Date('2024-04-01T08:00:30Z'), toFake: [...FAKE] });
    const pipeline = controllablePipeline('manual');
    agent = new Agent({ context: temp.ctx, runOnce: pipeline.run, resumePending: nothingToResume });
    await agent.start();

    await vi.advanceTimersByTimeAsync(3 * 60_000); // ticks at 08:01, 08:02, 08:03
    expect(pipeline.calls).toHaveLength(1);
    expect(logged(temp, 'scheduled run skipped: the previous run is still going')).toHaveLength(2);

    pipeline.calls[0]?.finish();
    await vi.advanceTimersByTimeAsync(60_000); // 08:04: the previous run has ended
    expect(pipeline.calls).toHaveLength(2);
    pipeline.calls[1]?.finish();
  });

  it('skips a tick that comes while the start-up catch-up run is still going', async () => {
    temp = await tempAgentContext({
      cron: '* * * * *',
      catchUp: true,
      measureDateRule: '{ rule: fixed, date: "2024-04-01" }',
    });
    vi.useFakeTimers({ now: new Date('2024-04-01T08:00:30Z'), toFake: [...FAKE] });
    const pipeline = controllablePipeline('manual');
    agent = new Agent({ context: temp.ctx, runOnce: pipeline.run, resumePending: nothingToResume });
    const started = agent.start();
    await vi.advanceTimersByTimeAsync(0);
    await vi.waitFor(() => expect(pipeline.calls).toHaveLength(1));
    expect(pipeline.calls[0]?.options.trigger).toBe('catch-up');

    await vi.advanceTimersByTimeAsync(2 * 60_000);
    expect(pipeline.calls).toHaveLength(1);
    expect(logged(temp, 'skipped: a run is still going').length).toBeGreaterThanOrEqual(1);
    pipeline.calls[0]?.finish();
    await started;
  });
});

describe('Agent catch-up at start', () => {
  function record(measureDate: string, outcome: RunRecord['outcome']): RunRecord {
    return {
      runId: `20240301T040000Z-${measureDate}-${outcome}`,
      trigger: 'schedule',
      measureDate,
      startedAt: `${measureDate}T04:00:00.000Z`,
      finishedAt: `${measureDate}T04:01:00.000Z`,
      durationMs: 60_000,
      outcome,
      pid: 1,
      submissionId: null,
      recordsRead: 1,
      dataQuality: null,
      figures: [],
      missingEstablishments: [],
      error: null,
    };
  }

  it('runs the missed April slot at once after downtime, with trigger catch-up', async () => {
    temp = await tempAgentContext({ catchUp: true });
    await writeRunRecord(temp.dataDir, record('2024-03-01', 'submitted'));
    vi.useFakeTimers({ now: new Date('2024-04-15T10:00:00Z'), toFake: [...FAKE] });
    const pipeline = controllablePipeline('immediate');
    agent = new Agent({ context: temp.ctx, runOnce: pipeline.run, resumePending: nothingToResume });
    await agent.start();
    expect(pipeline.calls.map((c) => c.options)).toMatchObject([
      { trigger: 'catch-up', measureDate: '2024-04-01' },
    ]);
  });

  it('retries a measure date whose last run ended in error', async () => {
    temp = await tempAgentContext({ catchUp: true });
    await writeRunRecord(temp.dataDir, record('2024-04-01', 'error'));
    vi.useFakeTimers({ now: new Date('2024-04-15T10:00:00Z'), toFake: [...FAKE] });
    const pipeline = controllablePipeline('immediate');
    agent = new Agent({ context: temp.ctx, runOnce: pipeline.run, resumePending: nothingToResume });
    await agent.start();
    expect(pipeline.calls.map((c) => c.options.measureDate)).toEqual(['2024-04-01']);
  });

  it('does nothing when the current measure date already has a settled run', async () => {
    temp = await tempAgentContext({ catchUp: true });
    await writeRunRecord(temp.dataDir, record('2024-04-01', 'pending'));
    vi.useFakeTimers({ now: new Date('2024-04-15T10:00:00Z'), toFake: [...FAKE] });
    const pipeline = controllablePipeline('immediate');
    agent = new Agent({ context: temp.ctx, runOnce: pipeline.run, resumePending: nothingToResume });
    await agent.start();
    expect(pipeline.calls).toHaveLength(0);
  });

  it('leaves to the schedule a slot that is still ahead today (03:00 in Paris, schedule at 05:00)', async () => {
    temp = await tempAgentContext({ catchUp: true });
    vi.useFakeTimers({ now: new Date('2024-04-01T01:00:00Z'), toFake: [...FAKE] });
    const pipeline = controllablePipeline('immediate');
    agent = new Agent({ context: temp.ctx, runOnce: pipeline.run, resumePending: nothingToResume });
    await agent.start();
    expect(pipeline.calls).toHaveLength(0);
    await advanceTo('2024-04-01T03:00:00Z');
    expect(pipeline.calls.map((c) => c.options)).toMatchObject([
      { trigger: 'schedule', measureDate: '2024-04-01' },
    ]);
  });

  it('does not catch up when schedule.catchUp is false', async () => {
    temp = await tempAgentContext({ catchUp: false });
    vi.useFakeTimers({ now: new Date('2024-04-15T10:00:00Z'), toFake: [...FAKE] });
    const pipeline = controllablePipeline('immediate');
    agent = new Agent({ context: temp.ctx, runOnce: pipeline.run, resumePending: nothingToResume });
    await agent.start();
    expect(pipeline.calls).toHaveLength(0);
  });

  it('resumes pending submissions before deciding on a catch-up', async () => {
    temp = await tempAgentContext({ catchUp: true });
    vi.useFakeTimers({ now: new Date('2024-04-15T10:00:00Z'), toFake: [...FAKE] });
    const order: string[] = [];
    const pipeline = controllablePipeline('immediate');
    agent = new Agent({
      context: temp.ctx,
      runOnce: (ctx, options) => {
        order.push('run');
        return pipeline.run(ctx, options);
      },
      resumePending: () => {
        order.push('resume');
        return Promise.resolve({ pending: 1, delivered: 1, failed: 0 });
      },
    });
    await agent.start();
    expect(order).toEqual(['resume', 'run']);
  });
});

describe('Agent reload (SIGHUP)', () => {
  it('arms the schedule of the new config: the old slot no longer fires, the new one does, on the new config', async () => {
    temp = await tempAgentContext({ catchUp: false });
    const next = await tempAgentContext({ catchUp: false, cron: '30 4 * * *', timezone: 'Indian/Reunion' });
    vi.useFakeTimers({ now: new Date('2024-03-31T12:00:00Z'), toFake: [...FAKE] });
    const pipeline = controllablePipeline('immediate');
    const contexts: string[] = [];
    agent = new Agent({
      context: temp.ctx,
      runOnce: (ctx, options) => {
        contexts.push(ctx.loaded.path);
        return pipeline.run(ctx, options);
      },
      resumePending: nothingToResume,
    });
    await agent.start();
    expect(agent.nextRun()?.toISOString()).toBe('2024-04-01T03:00:00.000Z'); // 05:00 Paris
    expect(agent.reload(next.ctx)).toBe(true);
    // 04:30 in Réunion (UTC+4) is 00:30 UTC.
    expect(agent.nextRun()?.toISOString()).toBe('2024-04-01T00:30:00.000Z');
    const reloaded = next.logs.records().find((r) => r['msg'] === 'configuration reloaded');
    expect(reloaded).toMatchObject({
      level: 'info',
      component: 'daemon',
      cron: '30 4 * * *',
      timezone: 'Indian/Reunion',
      nextRun: '2024-04-01T04:30:00.000+04:00',
      digest: next.ctx.loaded.digest.slice(0, 12),
      previousDigest: temp.ctx.loaded.digest.slice(0, 12),
    });
    await advanceTo('2024-04-01T00:30:00Z');
    expect(pipeline.calls).toHaveLength(1);
    expect(contexts).toEqual([next.ctx.loaded.path]);
    await advanceTo('2024-04-01T03:00:01Z'); // the old slot: nothing
    expect(pipeline.calls).toHaveLength(1);
    await agent.stop();
    expect(agent.reload(temp.ctx)).toBe(false);
    await next.cleanup();
  });
});

describe('Agent stop', () => {
  it('aborts the run in flight, waits for it, and fires nothing afterwards', async () => {
    temp = await tempAgentContext({ catchUp: false });
    vi.useFakeTimers({ now: new Date('2024-03-31T12:00:00Z'), toFake: [...FAKE] });
    const pipeline = controllablePipeline('manual');
    agent = new Agent({ context: temp.ctx, runOnce: pipeline.run, resumePending: nothingToResume });
    await agent.start();
    await advanceTo('2024-04-01T03:00:00Z');
    expect(pipeline.calls).toHaveLength(1);
    const signal = pipeline.calls[0]?.options.signal;
    expect(signal?.aborted).toBe(false);

    let stopped = false;
    const stopping = agent.stop().then(() => {
      stopped = true;
    });
    await vi.advanceTimersByTimeAsync(0);
    expect(signal?.aborted).toBe(true);
    expect(stopped).toBe(false); // still waiting for the run to wind down
    expect(agent.busy).toBe(true);

    pipeline.calls[0]?.finish('aborted');
    await stopping;
    expect(stopped).toBe(true);
    expect(agent.busy).toBe(false);
    expect(agent.nextRun()).toBeNull();

    await vi.advanceTimersByTimeAsync(62 * 24 * 3_600_000);
    expect(pipeline.calls).toHaveLength(1);
  });

  it('stop() before start() and twice is harmless', async () => {
    temp = await tempAgentContext({ catchUp: false });
    agent = new Agent({
      context: temp.ctx,
      runOnce: controllablePipeline().run,
      resumePending: nothingToResume,
    });
    await agent.stop();
    await agent.stop();
    await expect(agent.start()).rejects.toThrow(/already started/);
  });
});

describe('Agent with the real pipeline', () => {
  it('catches up with a real sealed run over NDJSON files, then not again on the next start', async () => {
    temp = await tempAgentContext({ catchUp: true, measureDateRule: '{ rule: fixed, date: "2024-04-01" }' });
    agent = new Agent({ context: temp.ctx });
    await agent.start();
    await agent.stop();
    const runs = await listRunRecords(temp.dataDir);
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({ trigger: 'catch-up', measureDate: '2024-04-01', outcome: 'sealed' });
    expect(runs[0]?.figures.map((f) => f.finess)).toEqual(['970400024']);

    agent = new Agent({ context: temp.ctx });
    await agent.start();
    await agent.stop();
    expect(await listRunRecords(temp.dataDir)).toHaveLength(1);
  });

  it('a stop signalled during a real run ends it as aborted, with nothing sealed', async () => {
    temp = await tempAgentContext({ catchUp: true, measureDateRule: '{ rule: fixed, date: "2024-04-01" }' });
    let stopping: Promise<void> | undefined;
    const daemon: Agent = new Agent({
      context: temp.ctx,
      runOnce: (ctx, options) => {
        const run = runOnce(runDependencies(ctx), options);
        stopping = daemon.stop(); // SIGTERM while the run has just begun reading
        return run;
      },
    });
    agent = daemon;
    await daemon.start();
    await stopping;
    const runs = await listRunRecords(temp.dataDir);
    expect(runs.map((r) => r.outcome)).toEqual(['aborted']);
    expect(runs[0]?.submissionId).toBeNull();
    await expect(readdir(join(temp.dataDir, 'evidence'))).resolves.not.toContain('journal.ndjson');
  });
});
