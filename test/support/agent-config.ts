import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { esms } from './processes.js';

export interface E2eConfig {
  fhirUrl?: string;
  ndjsonDir?: string;
  /** Several NDJSON paths for the one ndjson source (instead of `ndjsonDir`). */
  ndjsonPaths?: readonly string[];
  receiverUrl: string;
  initialDelayMs?: number;
  maxDelayMs?: number;
  /** `ars.retry.deadlineHours` (default 1). */
  deadlineHours?: number;
  measureDateRule?: string;
  catchUp?: boolean;
  /** The configured ESSMS (default: the two of the fixture). */
  establishments?: readonly string[];
  /** Extra YAML lines under `ars:` (e.g. an `auth:` block). */
  arsExtra?: readonly string[];
}

/** A temp agent home: config file + data directory. */
export interface AgentHome {
  dir: string;
  configPath: string;
  dataDir: string;
  cleanup(): Promise<void>;
}

export const FIXTURE_ESSMS = ['750000010', '970400024'] as const;

export async function agentHome(config: E2eConfig): Promise<AgentHome> {
  const dir = await mkdtemp(join(tmpdir(), 'esms-e2e-'));
  const dataDir = join(dir, 'data');
  const source =
    config.fhirUrl !== undefined
      ? `  - { type: fhir, baseUrl: ${JSON.stringify(config.fhirUrl)} }`
      : `  - { type: ndjson, paths: [${(config.ndjsonPaths ?? [config.ndjsonDir]).map((p) => JSON.stringify(p)).join(', ')}] }`;
  const yaml = [
    'establishments:',
    ...(config.establishments ?? FIXTURE_ESSMS).map((f) => `  - finess: "${f}"`),
    'sources:',
    source,
    'ars:',
    `  endpoint: ${JSON.stringify(config.receiverUrl)}`,
    '  timeoutMs: 10000',
    ...(config.arsExtra ?? []),
    `  retry: { initialDelayMs: ${config.initialDelayMs ?? 10}, maxDelayMs: ${config.maxDelayMs ?? 50}, deadlineHours: ${config.deadlineHours ?? 1} }`,
    `schedule: { cron: "0 5 1 * *", timezone: Europe/Paris, catchUp: ${String(config.catchUp ?? true)} }`,
    `measureDate: ${config.measureDateRule ?? '{ rule: first-day-of-current-month }'}`,
    `dataDir: ${JSON.stringify(dataDir)}`,
    'logging: { format: json, level: info }',
    '',
  ].join('\n');
  await mkdir(dir, { recursive: true });
  const configPath = join(dir, 'esms.config.yaml');
  await writeFile(configPath, yaml);
  // What an installation does once: the evidence keys (a run never makes them).
  await initKeys(configPath);
  return { dir, configPath, dataDir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/** Files (submission ids) in one outbox state. */
export async function outboxIds(dataDir: string, state: 'pending' | 'done' | 'failed'): Promise<string[]> {
  try {
    return (await readdir(join(dataDir, 'outbox', state)))
      .filter((n) => /^[0-9a-f]{64}\.json$/.test(n))
      .map((n) => n.slice(0, 64));
  } catch {
    return [];
  }
}

/** Entry types of the evidence journal, in order (complete lines only). */
export async function journalTypes(dataDir: string): Promise<string[]> {
  let text: string;
  try {
    text = await readFile(join(dataDir, 'evidence', 'journal.ndjson'), 'utf8');
  } catch {
    return [];
  }
  return text
    .split('\n')
    .slice(0, -1)
    .map((line) => (JSON.parse(line) as { type: string }).type);
}

/** `esms init --keys-only`: the evidence keys in the data directory of an existing config. */
export async function initKeys(configPath: string): Promise<void> {
  const init = await esms(['init', '--keys-only', '--config', configPath]);
  if (init.code !== 0) throw new Error(`esms init --keys-only failed: ${init.stderr}`);
}
