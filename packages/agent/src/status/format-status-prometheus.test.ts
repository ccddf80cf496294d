import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { initialisedContext } from '../runner/__fixtures__/initialised-context.js';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createReceiver, type Receiver } from '../../../../examples/receiver/receiver.mjs';
import { collectingLogger, DUI_SMALL_NDJSON } from '../daemon/__fixtures__/daemon-harness.js';
import type { AgentContext } from '../runner/agent-context.js';
import { runDependencies } from '../runner/run-dependencies.js';
import { runOnce } from '../runner/run-once.js';
import { AGENT_VERSION } from '../version.js';
import { parsePrometheusText, type ParsedFamily } from './__fixtures__/parse-prometheus-text.js';
import { collectStatus } from './collect-status.js';
import { escapeLabelValue, formatStatusPrometheus } from './format-status-prometheus.js';

// A data directory written by the real pipeline (NDJSON → compute → seal → the reference receiver), read
// by `collectStatus`, written in the textfile format and parsed back strictly.
let root: string;
let receiver: Receiver;
beforeEach(async () => {
  // Quotes and a backslash in the config's path: its label value must be escaped.
  root = await mkdtemp(join(tmpdir(), 'esms-prom "q\\b-'));
  receiver = await createReceiver({ dataDir: join(root, 'ars') });
});
afterEach(async () => {
  await receiver.close();
  await rm(root, { recursive: true, force: true });
});

async function agent(establishments: string[] = ['970400024']): Promise<AgentContext> {
  const yaml = [
    'establishments:',
    ...establishments.map((f) => `  - finess: "${f}"`),
    'sources:',
    `  - { type: ndjson, paths: [${JSON.stringify(DUI_SMALL_NDJSON)}] }`,
    'ars:',
    `  endpoint: ${receiver.url}`,
    '  retry: { initialDelayMs: 1, maxDelayMs: 5, deadlineHours: 72 }',
    `dataDir: ${JSON.stringify(join(root, 'data'))}`,
    '',
  ].join('\n');
  const path = join(root, 'esms.config.yaml');
  await writeFile(path, yaml);
  return initialisedContext(path, { logger: collectingLogger().logger });
}

function value(
  families: Map<string, ParsedFamily>,
  name: string,
  labels: Record<string, string> = {},
): number | undefined {
  return families.get(name)?.samples.find((s) => Object.entries(labels).every(([k, v]) => s.labels[k] === v))
    ?.value;
}

describe('esms status --format prometheus', () => {
  it('a submitted run: strict textfile format, esms_* names, last run, submissions, VA readiness, next run', async () => {
    const ctx = await agent(['970400024', '750000010']);
    const record = await runOnce(runDependencies(ctx), { trigger: 'manual', measureDate: '2024-04-01' });
    expect(record.outcome).toBe('submitted');
    const status = await collectStatus(ctx.loaded);
    const text = formatStatusPrometheus(status);
    const families = parsePrometheusText(text);
    for (const family of families.values()) {
      expect(family.name).toMatch(/^esms_[a-z0-9_]+$/);
      expect(family.type).toBe('gauge');
      expect(family.help.length).toBeGreaterThan(10);
      expect(family.samples.length).toBeGreaterThan(0);
    }
    expect(families.get('esms_info')?.samples[0]?.labels).toEqual({
      version: AGENT_VERSION,
      timezone: 'Europe/Paris',
      config_path: ctx.loaded.path,
    });
    expect(text).toContain('esms-prom \\"q\\\\b-');
    expect(value(families, 'esms_last_run_success')).toBe(1);
    expect(families.get('esms_last_run_outcome')?.samples.filter((s) => s.value === 1)).toEqual([
      { labels: { outcome: 'submitted' }, value: 1 },
    ]);
    expect(value(families, 'esms_last_run_start_timestamp_seconds')).toBe(
      Date.parse(record.startedAt) / 1000,
    );
    expect(value(families, 'esms_last_run_duration_seconds')).toBe((record.durationMs ?? 0) / 1000);
    expect(value(families, 'esms_last_success_timestamp_seconds')).toBe(
      Date.parse(record.finishedAt ?? '') / 1000,
    );
    expect(value(families, 'esms_last_run_measure_date_timestamp_seconds')).toBe(
      Date.parse('2024-04-01T00:00:00Z') / 1000,
    );
    expect(value(families, 'esms_next_run_timestamp_seconds')).toBe(
      Date.parse(status.nextRun?.at ?? '') / 1000,
    );
    expect(value(families, 'esms_submissions_delivered')).toBe(1);
    for (const name of ['pending', 'refused', 'overdue', 'past_deadline']) {
      expect(value(families, `esms_submissions_${name}`)).toBe(0);
    }
    const reunion = record.figures.find((f) => f.finess === '970400024');
    expect(value(families, 'esms_va_ready', { finess: '970400024' })).toBe(reunion?.vaReady === true ? 1 : 0);
    expect(
      value(families, 'esms_indicator_rate_percent', {
        finess: '970400024',
        indicator: 'taux-dossiers-actifs',
      }),
    ).toBe(reunion?.rates['taux-dossiers-actifs']?.rate);
    // A configured ESSMS with no figures: not computed, no VA readiness, and a problem.
    expect(value(families, 'esms_establishment_computed', { finess: '750000010' })).toBe(0);
    expect(value(families, 'esms_va_ready', { finess: '750000010' })).toBeUndefined();
    expect(value(families, 'esms_problems', { code: 'establishment-missing' })).toBe(1);
    expect(value(families, 'esms_problems', { code: 'submission-failed' })).toBe(0);
    expect(value(families, 'esms_attention_needed')).toBe(1);
    expect(value(families, 'esms_evidence_last_seal_ok')).toBe(1);
    // Aggregates only: FINESS numbers and figures, never a record id of the fixture.
    expect(text).not.toMatch(/Patient\/|"p-\d|ins/i);
  });

  it('a refused submission: counted as refused, the last run failed, a problem by its code', async () => {
    const ctx = await agent();
    receiver.addFaults([{ status: 422 }]);
    const record = await runOnce(runDependencies(ctx), { trigger: 'manual', measureDate: '2024-04-01' });
    expect(record.outcome).toBe('failed');
    const families = parsePrometheusText(formatStatusPrometheus(await collectStatus(ctx.loaded)));
    expect(value(families, 'esms_submissions_refused')).toBe(1);
    expect(value(families, 'esms_submissions_delivered')).toBe(0);
    expect(value(families, 'esms_last_run_success')).toBe(0);
    expect(value(families, 'esms_last_run_outcome', { outcome: 'failed' })).toBe(1);
    expect(value(families, 'esms_last_success_timestamp_seconds')).toBeUndefined();
    expect(value(families, 'esms_problems', { code: 'submission-failed' })).toBe(1);
    expect(value(families, 'esms_attention_needed')).toBe(1);
  });

  it('an empty data directory: no last run, nothing to do, still well formed', async () => {
    const ctx = await agent();
    const families = parsePrometheusText(formatStatusPrometheus(await collectStatus(ctx.loaded)));
    expect(families.has('esms_last_run_success')).toBe(false);
    expect(value(families, 'esms_attention_needed')).toBe(0);
    expect(value(families, 'esms_running')).toBe(0);
  });
});

describe('label values and the strict reader', () => {
  it('escapes backslash, double quote and line feed', () => {
    expect(escapeLabelValue('a\\b"c\nd')).toBe('a\\\\b\\"c\\nd');
  });

  it('the reader refuses what the textfile collector would', () => {
    const good = '# HELP esms_x An x.\n# TYPE esms_x gauge\nesms_x{a="1"} 1\n';
    expect(parsePrometheusText(good).get('esms_x')?.samples).toEqual([{ labels: { a: '1' }, value: 1 }]);
    expect(() => parsePrometheusText('esms_x 1\n')).toThrow(/without its HELP and TYPE/);
    expect(() => parsePrometheusText(good.replace('"1"', '"a"b"'))).toThrow();
    expect(() => parsePrometheusText(good.slice(0, -1))).toThrow(/line feed/);
    expect(() => parsePrometheusText(`${good}esms_x{a="1"} 2\n`)).toThrow(/duplicate/);
    expect(() =>
      parsePrometheusText(`${good}# HELP esms_y Y.\n# TYPE esms_y gauge\nesms_y 1\n${good}`),
    ).toThrow(/split/);
  });
});
