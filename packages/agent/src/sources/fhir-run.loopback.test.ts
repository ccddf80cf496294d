// A whole run (runOnce) reading a DUI's FHIR server on loopback, submitting to the reference receiver: a search that
import { initialisedContext } from '../runner/__fixtures__/initialised-context.js';
// stops before its total fails the run with nothing sealed and nothing sent (indicators.md, `input-incomplete`), and
// every HTTP request is logged at debug level by its component, redacted, never with a token.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createReceiver, type Receiver } from '../../../../examples/receiver/receiver.mjs';
import {
  DUI_SMALL_NDJSON,
  collectingLogger,
  type CollectedLogs,
} from '../daemon/__fixtures__/daemon-harness.js';
import { readJournalEntries } from '../evidence/journal.js';
import type { AgentContext } from '../runner/agent-context.js';
import { runOnce } from '../runner/run-once.js';
import { runDependencies } from '../runner/run-dependencies.js';

interface DemoServer {
  url: string;
  close(): Promise<void>;
}
const FIXTURE_SERVER_MODULE = new URL('../../../../examples/fhir-server/fhir-server.mjs', import.meta.url)
  .href;
const TOKEN_ENV = 'ESMS_TEST_FHIR_RUN_TOKEN';
const TOKEN = 'fhir-run-secret-token';

let root: string;
let receiver: Receiver;
let fhir: DemoServer | undefined;

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'esms-fhir-run-'));
  receiver = await createReceiver({ dataDir: join(root, 'ars') });
  process.env[TOKEN_ENV] = TOKEN;
});
afterEach(async () => {
  await fhir?.close();
  fhir = undefined;
  await receiver.close();
  await rm(root, { recursive: true, force: true });
  delete process.env[TOKEN_ENV];
});

async function agentReading(
  serverOptions: Record<string, unknown>,
): Promise<{ ctx: AgentContext; logs: CollectedLogs }> {
  const { startFhirServer } = (await import(FIXTURE_SERVER_MODULE)) as {
    startFhirServer: (options: Record<string, unknown>) => Promise<DemoServer>;
  };
  fhir = await startFhirServer({ dataDir: DUI_SMALL_NDJSON, bearerToken: TOKEN, ...serverOptions });
  const path = join(root, 'esms.config.yaml');
  await writeFile(
    path,
    [
      'establishments:',
      '  - finess: "970400024"',
      'sources:',
      `  - { type: fhir, baseUrl: ${fhir.url}, pageSize: 2, auth: { type: bearer, token: { env: ${TOKEN_ENV} } } }`,
      'ars:',
      `  endpoint: ${receiver.url}`,
      '  retry: { initialDelayMs: 1, maxDelayMs: 5, deadlineHours: 72 }',
      `dataDir: ${JSON.stringify(join(root, 'data'))}`,
      '',
    ].join('\n'),
  );
  const logs = collectingLogger();
  return { ctx: await initialisedContext(path, { logger: logs.logger }), logs };
}

describe('runOnce reading a FHIR server', () => {
  it('fails with input-incomplete when a search stops before its total: nothing sealed, nothing sent', async () => {
    const { ctx } = await agentReading({ dropNextAfterPages: 1 });
    const record = await runOnce(runDependencies(ctx), { trigger: 'manual', measureDate: '2024-04-01' });
    expect(record.outcome).toBe('error');
    expect(record.error?.code).toBe('input-incomplete');
    expect(record.error?.message).toMatch(/search incomplete after 1 page\(s\) and 2 of \d+ records/);
    const entries = await readJournalEntries(join(root, 'data', 'evidence')).catch(() => []);
    expect(entries.filter((entry) => entry.type === 'run-sealed')).toEqual([]);
    expect(receiver.stats().accepted).toBe(0);
  });

  it('logs each request at debug level with its component, status and duration, never the token', async () => {
    const { ctx, logs } = await agentReading({});
    const record = await runOnce(runDependencies(ctx), { trigger: 'manual', measureDate: '2024-04-01' });
    expect(record.outcome).toBe('submitted');
    const requests = logs.records().filter((line) => line['msg'] === 'http request');
    const source = requests.filter((line) => line['component'] === 'source');
    const submitter = requests.filter((line) => line['component'] === 'submitter');
    expect(source.length).toBeGreaterThan(7);
    expect(source[0]).toMatchObject({ method: 'GET', status: 200 });
    // Levels are written as labels.
    expect(source[0]?.['level']).toBe('debug');
    expect(typeof source[0]?.['durationMs']).toBe('number');
    expect(submitter).toEqual([expect.objectContaining({ method: 'POST', url: receiver.url })]);
    // Page tokens are query values that are not ours to show.
    expect(source.some((line) => String(line['url']).includes('_getpages=…'))).toBe(true);
    expect(JSON.stringify(logs.records())).not.toContain(TOKEN);
  });

  it('logs at debug level each page read, each outbox transition and each evidence entry appended', async () => {
    const { ctx, logs } = await agentReading({});
    const record = await runOnce(runDependencies(ctx), { trigger: 'manual', measureDate: '2024-04-01' });
    expect(record.outcome).toBe('submitted');
    const lines = logs.records();
    const pages = lines.filter((line) => line['msg'] === 'page read');
    const gets = lines.filter((line) => line['msg'] === 'http request' && line['method'] === 'GET');
    expect(pages.length).toBeGreaterThan(7);
    expect(pages.length).toBeLessThanOrEqual(gets.length);
    expect(pages[0]).toMatchObject({ level: 'debug', component: 'source', page: 1 });
    expect(typeof pages[0]?.['resourceType']).toBe('string');
    expect(typeof pages[0]?.['entries']).toBe('number');
    const entries = pages.reduce((sum, line) => sum + Number(line['entries']), 0);
    expect(entries).toBeGreaterThanOrEqual(record.recordsRead ?? 0);

    const outbox = lines.filter((line) => line['msg'] === 'outbox transition');
    const short = record.submissionId?.slice(0, 12);
    expect(outbox.map((line) => [line['from'], line['to']])).toEqual([
      [null, 'pending'],
      ['pending', 'done'],
    ]);
    expect(outbox.every((line) => line['submission'] === short && line['level'] === 'debug')).toBe(true);
    expect(outbox[1]).toMatchObject({ component: 'outbox', status: 200 });

    const evidence = lines.filter((line) => line['msg'] === 'evidence entry appended');
    expect(evidence.map((line) => [line['seq'], line['type']])).toEqual([
      [1, 'run-sealed'],
      [2, 'submission-sealed'],
      [3, 'submission-receipt'],
    ]);
    expect(evidence[0]).toMatchObject({ level: 'debug', component: 'evidence' });
    expect(String(evidence[0]?.['hash'])).toMatch(/^[0-9a-f]{12}$/);
    expect(JSON.stringify(lines)).not.toContain(TOKEN);
  });

  it('tells the progress observer of each phase in order, each page and each record by type', async () => {
    const { ctx, logs } = await agentReading({});
    const events: string[] = [];
    let pages = 0;
    const byType = new Map<string, number>();
    const record = await runOnce(runDependencies(ctx), {
      trigger: 'manual',
      measureDate: '2024-04-01',
      progress: {
        phaseStarted: (phase) => events.push(`${phase} started`),
        phaseEnded: (phase, end) => events.push(`${phase} ${end?.outcome ?? 'ok'}`),
        pageRead: () => (pages += 1),
        recordsRead: (type, n) => byType.set(type, (byType.get(type) ?? 0) + n),
      },
    });
    expect(record.outcome).toBe('submitted');
    expect(events).toEqual([
      'read started',
      'read ok',
      'compute started',
      'compute ok',
      'seal started',
      'seal ok',
      'submit started',
      'submit ok',
    ]);
    expect(pages).toBe(logs.records().filter((line) => line['msg'] === 'page read').length);
    expect([...byType.values()].reduce((a, b) => a + b, 0)).toBe(record.recordsRead);
    expect(byType.get('Patient')).toBeGreaterThan(0);
  });
});
