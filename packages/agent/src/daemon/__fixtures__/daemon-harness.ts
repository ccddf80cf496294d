import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { initialisedContext } from '../../runner/__fixtures__/initialised-context.js';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { createLogger, type AgentLogger } from '../../logging/create-logger.js';
import type { AgentContext } from '../../runner/agent-context.js';
import type { RunOnceOptions } from '../../runner/run-once.js';
import type { RunRecord } from '../../runner/run-records.js';
import type { RunPipeline } from '../agent.js';

/** The small synthetic DUI of the sources' tests (one EHPAD in Réunion, FINESS 970400024). */
export const DUI_SMALL_NDJSON = fileURLToPath(
  new URL('../../sources/__fixtures__/dui-small-ndjson', import.meta.url),
);

export interface CollectedLogs {
  logger: AgentLogger;
  /** Every log record written so far, parsed. */
  records(): Array<Record<string, unknown>>;
}

/** A real pino logger whose JSON lines are kept in memory, so tests can check what was logged. */
export function collectingLogger(): CollectedLogs {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      lines.push(
        ...chunk
          .toString('utf8')
          .split('\n')
          .filter((line) => line !== ''),
      );
      callback();
    },
  });
  const logger = createLogger({ level: 'debug', format: 'json', destination });
  return { logger, records: () => lines.map((line) => JSON.parse(line) as Record<string, unknown>) };
}

export interface AgentConfigFixture {
  cron?: string;
  timezone?: string;
  catchUp?: boolean;
  /** YAML of the `measureDate` rule (default: first day of the current month). */
  measureDateRule?: string;
}

export interface TempAgent {
  dir: string;
  dataDir: string;
  ctx: AgentContext;
  logs: CollectedLogs;
  cleanup(): Promise<void>;
}

/** A config file on disk (NDJSON source, no ARS) and the context opened from it, in a temp directory. */
export async function tempAgentContext(fixture: AgentConfigFixture = {}): Promise<TempAgent> {
  const dir = await mkdtemp(join(tmpdir(), 'esms-daemon-'));
  const dataDir = join(dir, 'data');
  const yaml = [
    'establishments:',
    '  - finess: "970400024"',
    'sources:',
    '  - type: ndjson',
    `    paths: [${JSON.stringify(DUI_SMALL_NDJSON)}]`,
    'schedule:',
    `  cron: ${JSON.stringify(fixture.cron ?? '0 5 1 * *')}`,
    `  timezone: ${fixture.timezone ?? 'Europe/Paris'}`,
    `  catchUp: ${String(fixture.catchUp ?? true)}`,
    `measureDate: ${fixture.measureDateRule ?? '{ rule: first-day-of-current-month }'}`,
    `dataDir: ${JSON.stringify(dataDir)}`,
    '',
  ].join('\n');
  const configPath = join(dir, 'esms.config.yaml');
  await writeFile(configPath, yaml);
  const logs = collectingLogger();
  const ctx = await initialisedContext(configPath, { logger: logs.logger });
  return { dir, dataDir, ctx, logs, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

export interface PipelineCall {
  options: RunOnceOptions;
  /** The (possibly fake) clock when the run started. */
  startedAt: Date;
  /** Ends the run with this outcome. */
  finish(outcome?: RunRecord['outcome']): void;
}

/** A run pipeline that records its calls and ends each run only when the test says so (or at once). */
export function controllablePipeline(mode: 'manual' | 'immediate' = 'manual'): {
  run: RunPipeline;
  calls: PipelineCall[];
} {
  const calls: PipelineCall[] = [];
  const run: RunPipeline = (_ctx, options) =>
    new Promise<RunRecord>((resolve) => {
      const startedAt = new Date();
      const finish = (outcome: RunRecord['outcome'] = 'sealed'): void =>
        resolve(recordOf(options, startedAt, outcome));
      calls.push({ options, startedAt, finish });
      if (mode === 'immediate') finish();
    });
  return { run, calls };
}

function recordOf(options: RunOnceOptions, startedAt: Date, outcome: RunRecord['outcome']): RunRecord {
  return {
    runId: `test-${startedAt.getTime()}`,
    trigger: options.trigger,
    measureDate: options.measureDate ?? 'unknown',
    startedAt: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    durationMs: 0,
    outcome,
    pid: process.pid,
    submissionId: null,
    recordsRead: 0,
    dataQuality: null,
    figures: [],
    missingEstablishments: [],
    error: null,
  };
}

/** Nothing left pending by a previous process. */
export const nothingToResume = (): Promise<{ pending: number; delivered: number; failed: number }> =>
  Promise.resolve({ pending: 0, delivered: 0, failed: 0 });
