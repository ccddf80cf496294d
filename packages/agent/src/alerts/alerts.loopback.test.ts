import { once } from 'node:events';
import { initialisedContext } from '../runner/__fixtures__/initialised-context.js';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createReceiver, type Receiver } from '../../../../examples/receiver/receiver.mjs';
import { isConfigInvalidError } from '../config/config-invalid-error.js';
import { validateConfig } from '../config/load-config.js';
import {
  collectingLogger,
  DUI_SMALL_NDJSON,
  type CollectedLogs,
} from '../daemon/__fixtures__/daemon-harness.js';
import type { AgentContext } from '../runner/agent-context.js';
import { runDependencies } from '../runner/run-dependencies.js';
import { runOnce } from '../runner/run-once.js';
import type { AlertPayload } from './alert-payload.js';

// Issue 12, monitoring: an alert when a run fails or a submission is kept as failed, to a webhook on
// loopback (a real HTTP server) or a command (a real child process); aggregates only.
const TOKEN_ENV = 'ESMS_TEST_ALERT_TOKEN';
const TOKEN = 'alert-token-1234';

let root: string;
let receiver: Receiver;
let hook: Server;
let hookUrl: string;
let received: Array<{ headers: IncomingMessage['headers']; body: string }>;

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'esms-alerts-'));
  receiver = await createReceiver({ dataDir: join(root, 'ars') });
  received = [];
  hook = createServer((request, response) => {
    let body = '';
    request.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
    request.on('end', () => {
      received.push({ headers: request.headers, body });
      response.writeHead(204).end();
    });
  });
  hook.listen(0, '127.0.0.1');
  await once(hook, 'listening');
  hookUrl = `http://127.0.0.1:${(hook.address() as AddressInfo).port}/hooks/esms`;
  process.env[TOKEN_ENV] = TOKEN;
});
afterEach(async () => {
  delete process.env[TOKEN_ENV];
  hook.close();
  await receiver.close();
  await rm(root, { recursive: true, force: true });
});

async function agent(
  alerts: string[],
  options: { paths?: string } = {},
): Promise<{ ctx: AgentContext; logs: CollectedLogs }> {
  const yaml = [
    'establishments:',
    '  - finess: "970400024"',
    'sources:',
    `  - { type: ndjson, paths: [${JSON.stringify(options.paths ?? DUI_SMALL_NDJSON)}] }`,
    'ars:',
    `  endpoint: ${receiver.url}`,
    '  retry: { initialDelayMs: 1, maxDelayMs: 5, deadlineHours: 72 }',
    `dataDir: ${JSON.stringify(join(root, 'data'))}`,
    'alerts:',
    ...alerts.map((line) => `  ${line}`),
    '',
  ].join('\n');
  const path = join(root, 'esms.config.yaml');
  await writeFile(path, yaml);
  const logs = collectingLogger();
  return { ctx: await initialisedContext(path, { logger: logs.logger }), logs };
}

/** Every name, given name and id of the fixture's persons: none may leave in an alert. */
async function personStrings(): Promise<string[]> {
  const text = await readFile(join(DUI_SMALL_NDJSON, 'Patient.000.ndjson'), 'utf8');
  return text
    .split('\n')
    .filter((l) => l !== '')
    .flatMap((line) => {
      const p = JSON.parse(line) as { id: string; name?: Array<{ family?: string; given?: string[] }> };
      return [p.id, ...(p.name ?? []).flatMap((n) => [n.family ?? '', ...(n.given ?? [])])];
    })
    .filter((s) => s !== '');
}

describe('alerts', () => {
  it('a refused submission: one POST to the webhook, bearer token, aggregates only; the run is not alerted twice', async () => {
    const { ctx, logs } = await agent([`webhook: { url: ${hookUrl}, token: { env: ${TOKEN_ENV} } }`]);
    receiver.addFaults([{ status: 422 }]);
    const record = await runOnce(runDependencies(ctx), { trigger: 'manual', measureDate: '2024-04-01' });
    expect(record.outcome).toBe('failed');
    expect(received).toHaveLength(1);
    const [post] = received;
    expect(post?.headers['authorization']).toBe(`Bearer ${TOKEN}`);
    expect(post?.headers['content-type']).toBe('application/json');
    const payload = JSON.parse(post?.body ?? '') as AlertPayload;
    expect(payload).toMatchObject({
      kind: 'esms-alert',
      version: 1,
      event: 'submission-failed',
      timezone: 'Europe/Paris',
      configPath: ctx.loaded.path,
      submission: {
        id: record.submissionId?.slice(0, 12),
        kind: 'refused',
        code: 'submission-permanent',
        httpStatus: 422,
        attempts: 1,
        measureDate: '2024-04-01',
      },
      run: { runId: record.runId, outcome: 'failed', measureDate: '2024-04-01' },
    });
    expect(payload.run?.establishments).toEqual([
      expect.objectContaining({ finess: '970400024', vaReady: record.figures[0]?.vaReady }),
    ]);
    expect(payload.hint).toContain(`esms resend ${record.submissionId?.slice(0, 12)}`);
    for (const person of await personStrings()) expect(post?.body).not.toContain(person);
    expect(logs.records().find((l) => l['msg'] === 'alert sent')).toMatchObject({
      level: 'info',
      component: 'alerts',
      via: 'webhook',
    });
    // The token never reaches the log.
    expect(JSON.stringify(logs.records())).not.toContain(TOKEN);

    // A re-run meets the kept failure: the run fails again, and says so once.
    const again = await runOnce(runDependencies(ctx), { trigger: 'manual', measureDate: '2024-04-01' });
    expect(again.outcome).toBe('failed');
    expect(received.map((r) => (JSON.parse(r.body) as AlertPayload).event)).toEqual([
      'submission-failed',
      'run-failed',
    ]);
  });

  it('a run in error (an export missing): run-failed with its error; a run that succeeds alerts nobody', async () => {
    const { ctx } = await agent([`webhook: { url: ${hookUrl} }`], { paths: join(root, 'no-export') });
    const record = await runOnce(runDependencies(ctx), { trigger: 'manual', measureDate: '2024-04-01' });
    expect(record.outcome).toBe('error');
    expect(received).toHaveLength(1);
    const payload = JSON.parse(received[0]?.body ?? '') as AlertPayload;
    expect(payload).toMatchObject({
      event: 'run-failed',
      submission: null,
      run: { outcome: 'error', error: { code: 'input-unreadable' } },
    });
    expect(received[0]?.headers['authorization']).toBeUndefined();

    const fine = await agent([`webhook: { url: ${hookUrl} }`]);
    const ok = await runOnce(runDependencies(fine.ctx), { trigger: 'manual', measureDate: '2024-04-01' });
    expect(ok.outcome).toBe('submitted');
    expect(received).toHaveLength(1);
  });

  it('a command gets the same document on its standard input, and the event in ESMS_ALERT_EVENT', async () => {
    const script = join(root, 'alert.mjs');
    const out = join(root, 'alert-out.json');
    await writeFile(
      script,
      [
        "import { readFileSync, writeFileSync } from 'node:fs';",
        `writeFileSync(${JSON.stringify(out)}, JSON.stringify({ event: process.env.ESMS_ALERT_EVENT, stdin: readFileSync(0, 'utf8') }));`,
      ].join('\n'),
    );
    const { ctx } = await agent([
      `command: [${JSON.stringify(process.execPath)}, ${JSON.stringify(script)}]`,
    ]);
    receiver.addFaults([{ status: 422 }]);
    await runOnce(runDependencies(ctx), { trigger: 'manual', measureDate: '2024-04-01' });
    const got = JSON.parse(await readFile(out, 'utf8')) as { event: string; stdin: string };
    expect(got.event).toBe('submission-failed');
    expect(JSON.parse(got.stdin)).toMatchObject({ kind: 'esms-alert', event: 'submission-failed' });
  });

  it('the command runs with a minimal environment: no secret the config names, nothing not allowed (follow-up O1)', async () => {
    const script = join(root, 'alert-env.mjs');
    const out = join(root, 'alert-env.json');
    await writeFile(
      script,
      [
        "import { writeFileSync } from 'node:fs';",
        `writeFileSync(${JSON.stringify(out)}, JSON.stringify(process.env));`,
      ].join('\n'),
    );
    process.env['ESMS_TEST_UNRELATED_SECRET'] = 'not-for-the-alert';
    process.env['ESMS_TEST_ALLOWED'] = 'for-the-alert';
    try {
      const { ctx } = await agent([
        `webhook: { url: ${hookUrl}, token: { env: ${TOKEN_ENV} } }`,
        `command: [${JSON.stringify(process.execPath)}, ${JSON.stringify(script)}]`,
        // A secret the config references is never passed, even when listed.
        `commandEnv: [ESMS_TEST_ALLOWED, ${TOKEN_ENV}]`,
      ]);
      receiver.addFaults([{ status: 422 }]);
      await runOnce(runDependencies(ctx), { trigger: 'manual', measureDate: '2024-04-01' });
      const env = JSON.parse(await readFile(out, 'utf8')) as Record<string, string>;
      expect(env['ESMS_ALERT_EVENT']).toBe('submission-failed');
      expect(env['ESMS_TEST_ALLOWED']).toBe('for-the-alert');
      expect(env['PATH']).toBe(process.env['PATH']);
      expect(env[TOKEN_ENV]).toBeUndefined();
      expect(env['ESMS_TEST_UNRELATED_SECRET']).toBeUndefined();
      expect(JSON.stringify(env)).not.toContain(TOKEN);
    } finally {
      delete process.env['ESMS_TEST_UNRELATED_SECRET'];
      delete process.env['ESMS_TEST_ALLOWED'];
    }
  });

  it('an alert that cannot be sent is logged at error level with its cause; the run is unaffected', async () => {
    hook.close();
    await once(hook, 'close');
    const failing = join(root, 'fail.mjs');
    await writeFile(failing, "process.stderr.write('no route to the pager'); process.exit(3);");
    const { ctx, logs } = await agent([
      `webhook: { url: ${hookUrl} }`,
      `command: [${JSON.stringify(process.execPath)}, ${JSON.stringify(failing)}]`,
    ]);
    receiver.addFaults([{ status: 422 }]);
    const record = await runOnce(runDependencies(ctx), { trigger: 'manual', measureDate: '2024-04-01' });
    expect(record.outcome).toBe('failed');
    const failures = logs.records().filter((l) => l['msg'] === 'alert could not be sent');
    expect(failures.map((l) => [l['level'], l['via']]).sort()).toEqual([
      ['error', 'command'],
      ['error', 'webhook'],
    ]);
    expect(String(failures.find((l) => l['via'] === 'webhook')?.['reason'])).toMatch(/connection refused/);
    expect(String(failures.find((l) => l['via'] === 'command')?.['reason'])).toMatch(
      /exited 3: no route to the pager/,
    );
  });

  it('the config is validated: every problem of alerts at once, by key', () => {
    try {
      validateConfig(
        {
          establishments: [{ finess: '970400024' }],
          sources: [{ type: 'ndjson', paths: ['.'] }],
          alerts: { webhook: { url: 'ftp://x' }, command: [], timeoutMs: 0, other: 1 },
        },
        root,
      );
      expect.unreachable('the config should not validate');
    } catch (error) {
      if (!isConfigInvalidError(error)) throw error;
      expect(error.problems.map((p) => p.key).sort()).toEqual([
        'alerts.command',
        'alerts.other',
        'alerts.timeoutMs',
        'alerts.webhook.url',
      ]);
    }
  });
});
