import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { initialisedContext } from './__fixtures__/initialised-context.js';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createReceiver, type Receiver } from '../../../../examples/receiver/receiver.mjs';
import { DUI_SMALL_NDJSON, collectingLogger } from '../daemon/__fixtures__/daemon-harness.js';
import { readJournalEntries } from '../evidence/journal.js';
import { verifyEvidence } from '../evidence/verify.js';
import {
  loadEvidenceKeys,
  PRIVATE_KEY_FILE,
  PSEUDONYM_SECRET_FILE,
  PUBLIC_KEY_FILE,
} from '../evidence/keys.js';

import type { Digest } from '../evidence/canonical-json.js';
import { asLegacyRun, readBlobBytes, rewriteAndResign } from '../evidence/__fixtures__/tamper.js';
import { fileURLToPath } from 'node:url';
import type { RecordSource } from '../sources/source.js';
import type { AgentContext } from './agent-context.js';
import { memoryEvidenceStore } from './__fixtures__/memory-evidence-store.js';
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
  return initialisedContext(path, { logger: collectingLogger().logger });
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
      ['submission-sealed', first.runId],
      ['submission-receipt', first.runId],
      ['run-sealed', second.runId],
      ['submission-sealed', second.runId],
      ['submission-receipt', second.runId],
    ]);
    const verification = await verifyEvidence(join(root, 'data', 'evidence'));
    expect(verification.ok).toBe(true);
  });
});

/** The fixture's records, read into memory: a source that is neither a file nor a server. */
async function memorySource(): Promise<RecordSource> {
  const values: unknown[] = [];
  for (const name of (await readdir(DUI_SMALL_NDJSON)).filter((n) => /^[A-Z].*\.ndjson$/.test(n))) {
    const text = await readFile(join(DUI_SMALL_NDJSON, name), 'utf8');
    for (const line of text.split('\n')) if (line.trim() !== '') values.push(JSON.parse(line));
  }
  return {
    label: 'memory',
    async *records() {
      for (const value of values) yield await Promise.resolve({ kind: 'record' as const, value });
    },
  };
}

describe('runOnce on the dependencies it is given', () => {
  it('reads the given source, seals into the given store, stamps with the given clock, opens nothing else', async () => {
    const ctx = await context();
    const clock = (): Date => new Date('2024-04-02T03:04:05.000Z');
    const store = memoryEvidenceStore(clock);
    const source = await memorySource();
    const windows: string[] = [];
    const record = await runOnce(
      {
        ...runDependencies(ctx),
        clock,
        sources: (windowStart) => {
          windows.push(windowStart);
          return Promise.resolve([source]);
        },
        evidence: () => Promise.resolve(store),
        submission: null,
      },
      { trigger: 'manual', measureDate: '2024-04-01' },
    );
    expect(record).toMatchObject({ outcome: 'sealed', startedAt: '2024-04-02T03:04:05.000Z', durationMs: 0 });
    expect(record.figures.map((f) => f.finess)).toEqual(['970400024']);
    expect(windows).toEqual(['2023-01-01']);
    expect(store.journal.map((e) => [e.type, e.time, e.payload['runId']])).toEqual([
      ['run-sealed', '2024-04-02T03:04:05.000Z', record.runId],
      ['submission-sealed', '2024-04-02T03:04:05.000Z', record.runId],
    ]);
    // Nothing written to the configured store (only the keys esms init made are in it): run records and
    // the lock live in the data dir.
    expect(await readdir(join(root, 'data'))).toEqual(['evidence', 'runs']);
    expect((await readdir(join(root, 'data', 'evidence'))).sort()).toEqual(
      [PRIVATE_KEY_FILE, PUBLIC_KEY_FILE, PSEUDONYM_SECRET_FILE].sort(),
    );
  });
});

const SAMPLE_DATA = fileURLToPath(new URL('../../../../examples/sample-data/', import.meta.url));

describe('runOnce seals what it submits: the configured ESSMS (issue 8.1)', () => {
  async function sampleContext(establishments: string[]): Promise<AgentContext> {
    const path = join(root, 'sample.config.yaml');
    await writeFile(
      path,
      [
        'establishments:',
        ...establishments.map((f) => `  - finess: "${f}"`),
        'sources:',
        `  - { type: ndjson, paths: [${JSON.stringify(SAMPLE_DATA)}] }`,
        `dataDir: ${JSON.stringify(join(root, 'sample'))}`,
        '',
      ].join('\n'),
    );
    return initialisedContext(path, { logger: collectingLogger().logger });
  }

  it('2 of the 5 ESSMS of the data configured: sealed, verified, the 3 others named once', async () => {
    const ctx = await sampleContext(['750006827', '970407680']);
    const record = await runOnce(runDependencies(ctx), { trigger: 'manual', measureDate: '2024-04-01' });
    expect(record.outcome).toBe('sealed');
    expect(record.figures.map((f) => f.finess)).toEqual(['750006827', '970407680']);
    const evidence = join(root, 'sample', 'evidence');
    const report = await verifyEvidence(evidence);
    expect(report.findings.filter((f) => f.severity !== 'info')).toEqual([]);
    expect(report.ok).toBe(true);

    const [sealed] = await readJournalEntries(evidence);
    expect(sealed?.payload['scope']).toEqual({ establishments: ['750006827', '970407680'] });
    const digest = (sealed?.payload['results'] as { digest: Digest }).digest;
    const results = JSON.parse((await readBlobBytes(evidence, digest)).toString('utf8')) as {
      establishments: { finess: string }[];
      dataQuality: { warnings: { code: string; finess?: string }[] };
    };
    expect(results.establishments.map((e) => e.finess)).toEqual(['750006827', '970407680']);
    expect(
      results.dataQuality.warnings
        .filter((w) => w.code === 'establishment-not-configured')
        .map((w) => w.finess),
    ).toEqual(['130007313', '690007356', '970108007']);
  });

  it('a DUI shared with other ESSMS: the sources are read once, the scoped projection sealed, nothing left behind', async () => {
    const ctx = await sampleContext(['750006827', '970407680']);
    // What an earlier version's crashed run left in its spool is removed by the next run.
    await mkdir(join(ctx.config.dataDir, 'spool'), { recursive: true });
    await writeFile(join(ctx.config.dataDir, 'spool', 'projection-0a1b.ndjson'), '{"kind":"person"}\n');
    const deps = runDependencies(ctx);
    let reads = 0;
    const counted = {
      ...deps,
      sources: (windowStart: string) => {
        reads += 1;
        return deps.sources(windowStart);
      },
    };
    await runOnce(counted, { trigger: 'manual', measureDate: '2024-04-01' });
    expect(reads).toBe(1);
    await runOnce(counted, { trigger: 'manual', measureDate: '2024-04-01', scopeProjection: false });
    const evidence = join(root, 'sample', 'evidence');
    expect((await verifyEvidence(evidence)).ok).toBe(true);
    const [scopedRun, , wholeRun] = await readJournalEntries(evidence);
    const count = (entry: typeof scopedRun): number =>
      (entry?.payload['projection'] as { count: number }).count;
    // The scoped projection leaves the persons of the ESSMS not configured out; the whole one keeps them.
    expect(count(scopedRun)).toBeGreaterThan(0);
    expect(count(scopedRun)).toBeLessThan(count(wholeRun));
    // The whole projection it was scoped from was never stored: its temporary blob is gone.
    expect(await readdir(join(evidence, 'blobs', 'tmp'))).toEqual([]);
    expect(existsSync(join(ctx.config.dataDir, 'spool'))).toBe(false);
  });

  it('verification uses the sealed scope: a forged scope fails, a run sealed before scopes fails and says why', async () => {
    const ctx = await sampleContext(['750006827', '970407680']);
    // The whole projection, as esms 0.1 sealed it (the legacy run below is one of its runs).
    await runOnce(runDependencies(ctx), {
      trigger: 'manual',
      measureDate: '2024-04-01',
      scopeProjection: false,
    });
    const evidence = join(root, 'sample', 'evidence');
    const { privateKey } = await loadEvidenceKeys(evidence);

    await rewriteAndResign(evidence, privateKey, (entries) => {
      const entry = entries[0];
      if (entry !== undefined)
        entry.payload = {
          ...entry.payload,
          // The projection holds only what the sealed scope needs (follow-up F2): a forged scope that
          // leaves a sealed ESSMS out is what changes the recomputation.
          scope: { establishments: ['750006827'] },
        };
    });
    const forged = await verifyEvidence(evidence);
    expect(forged.ok).toBe(false);
    expect(forged.findings.map((f) => f.message)).toContainEqual(
      expect.stringMatching(/970407680 is in the sealed figures but not in the recomputation/),
    );

    // What esms 0.1.0 sealed: no scope, results of every ESSMS, a submission of the configured ones.
    await rewriteAndResign(evidence, privateKey, (entries) => {
      const all = asLegacyRun(entries, 0);
      const entry = all[0];
      if (entry === undefined) return all;
      const legacy = { ...entry.payload };
      delete legacy['scope'];
      entry.payload = legacy;
      return all;
    });
    const legacy = await verifyEvidence(evidence);
    expect(legacy.ok).toBe(false);
    expect(legacy.findings.filter((f) => f.severity === 'info').map((f) => f.message)).toEqual([
      expect.stringMatching(/before runs sealed their scope.*cannot be verified; a new esms run-once/),
    ]);
  });
});
