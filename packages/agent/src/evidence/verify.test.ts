import { generateKeyPairSync } from 'node:crypto';
import { appendFile, cp, mkdtemp, readFile, rm, writeFile, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { putBlob } from './blobs.js';
import { canonicalJson } from './canonical-json.js';
import type { Digest } from './canonical-json.js';
import { exportEvidence } from './export.js';
import { JOURNAL_FILE, TORN_DIR, appendJournalEntry } from './journal.js';
import { PUBLIC_KEY_FILE, publicKeyFingerprint } from './keys.js';
import { recordFailure, recordReceipt, recordRequeue } from './seal.js';
import { openEvidenceStore } from './store.js';
import type { FileEvidenceStore } from './store.js';
import { verifyEvidence } from './verify.js';
import type { VerificationReport } from './verification-report.js';
import { sealToyRun } from './__fixtures__/seal-toy-run.js';
import {
  overwriteBlob,
  readBlobBytes,
  readEntries,
  rewriteAndResign,
  writeLines,
} from './__fixtures__/tamper.js';
import { toyRules } from './__fixtures__/toy-rules.js';

let dir: string;
let store: FileEvidenceStore;

/**
 * Three runs and one receipt: seq 1 run-a (2 its submission), 3 receipt of run-a, 4 run-b (5 its
 * submission), 6 run-c (7 its submission).
 */
async function buildStore(): Promise<void> {
  await sealToyRun(store, { runId: 'run-a', measureDate: '2024-02-01' });
  await recordReceipt(store, {
    runId: 'run-a',
    submissionId: 'sub-run-a',
    receipt: { resourceType: 'Bundle', type: 'transaction-response' },
  });
  await sealToyRun(store, { runId: 'run-b', measureDate: '2024-03-01', variant: 1 });
  await sealToyRun(store, { runId: 'run-c', measureDate: '2024-04-01', variant: 2 });
}

const errorsOf = (report: VerificationReport) => report.findings.filter((f) => f.severity === 'error');

let template: string;
let templateStore: FileEvidenceStore;

// The store is built once (sealing fsyncs every blob and entry); each test gets its own copy to tamper with.
beforeAll(async () => {
  template = await mkdtemp(join(tmpdir(), 'esms-evidence-template-'));
  let tick = 0;
  templateStore = await openEvidenceStore(template, {
    create: true,
    now: () => new Date(Date.UTC(2024, 3, 1, 5, 0, tick++)),
  });
  store = templateStore;
  await buildStore();
});
afterAll(async () => {
  await rm(template, { recursive: true, force: true });
});
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'esms-evidence-'));
  await cp(template, dir, { recursive: true });
  // Its own store over the copy (same keys, same clock): appends go to the copy, not the template.
  store = await openEvidenceStore(dir, { now: templateStore.now });
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('verifyEvidence on an untouched store', () => {
  it('verifies every entry and recomputes every run', async () => {
    const report = await verifyEvidence(dir, { rules: toyRules });
    expect(report.findings).toEqual([]);
    expect(report.ok).toBe(true);
    expect(report.summary).toMatchObject({ entries: 7, runs: 3, runsRecomputed: 3, lastSeq: 7, errors: 0 });
    expect(report.summary.keyFingerprint).toBe(store.keys.fingerprint);
    expect(report.runs.map((r) => [r.runId, r.measureDate, r.ok])).toEqual([
      ['run-a', '2024-02-01', true],
      ['run-b', '2024-03-01', true],
      ['run-c', '2024-04-01', true],
    ]);
  });

  it('accepts the right key given by PEM or by fingerprint', async () => {
    expect((await verifyEvidence(dir, { rules: toyRules, publicKeyPem: store.keys.publicKeyPem })).ok).toBe(
      true,
    );
    expect(
      (
        await verifyEvidence(dir, {
          rules: toyRules,
          expectedFingerprint: store.keys.fingerprint.toUpperCase(),
        })
      ).ok,
    ).toBe(true);
  });

  it('reports entries beyond the retention as information, deleting nothing', async () => {
    const report = await verifyEvidence(dir, {
      rules: toyRules,
      retentionYears: 5,
      now: () => new Date('2030-01-01T00:00:00Z'),
    });
    expect(report.ok).toBe(true);
    expect(report.findings).toEqual([
      expect.objectContaining({ seq: null, check: 'retention', severity: 'info' }),
    ]);
    expect(report.summary.entries).toBe(7);
  });

  it('fails when no rules are available to recompute with', async () => {
    const report = await verifyEvidence(dir, { rules: null });
    expect(report.ok).toBe(false);
    expect(errorsOf(report).map((f) => [f.seq, f.check])).toEqual([
      [1, 'recompute'],
      [4, 'recompute'],
      [6, 'recompute'],
    ]);
  });
});

describe('verifyEvidence on a tampered store names the entry and the check', () => {
  async function runEntry(seq: number) {
    const entry = (await readEntries(dir)).find((e) => e.seq === seq);
    if (entry === undefined) throw new Error(`no entry ${seq}`);
    return entry;
  }
  const digestOf = (value: unknown): Digest => (value as { digest: Digest }).digest;

  it('a flipped byte in a blob', async () => {
    const digest = digestOf((await runEntry(4)).payload['results']);
    const bytes = await readBlobBytes(dir, digest);
    bytes[10] = (bytes[10] ?? 0) ^ 0x01;
    await overwriteBlob(dir, digest, bytes);
    const report = await verifyEvidence(dir, { rules: toyRules });
    expect(report.ok).toBe(false);
    expect(errorsOf(report).map((f) => [f.seq, f.check])).toEqual([[4, 'blob-digest']]);
    expect(errorsOf(report)[0]?.message).toContain('blob results');
  });

  it('a flipped byte in the projection blob stops the recomputation of that run only', async () => {
    const digest = digestOf((await runEntry(6)).payload['projection']);
    const bytes = await readBlobBytes(dir, digest);
    bytes[bytes.length - 5] = (bytes[bytes.length - 5] ?? 0) ^ 0x01;
    await overwriteBlob(dir, digest, bytes);
    const report = await verifyEvidence(dir, { rules: toyRules });
    expect(errorsOf(report).map((f) => [f.seq, f.check])).toEqual([
      [6, 'blob-digest'],
      [6, 'recompute'],
    ]);
    expect(report.runs.map((r) => r.ok)).toEqual([true, true, false]);
  });

  it('a flipped byte in an entry', async () => {
    const text = await readFile(join(dir, JOURNAL_FILE), 'utf8');
    await writeFile(
      join(dir, JOURNAL_FILE),
      text.replace('"measureDate":"2024-03-01"', '"measureDate":"2024-03-02"'),
    );
    const report = await verifyEvidence(dir, { rules: toyRules });
    const checks = errorsOf(report).map((f) => [f.seq, f.check]);
    expect(checks).toContainEqual([4, 'hash']);
    // The stored hash was left alone, so the link from entry 5 still holds: only entry 4 is named.
    expect(checks.every(([seq]) => seq === 4)).toBe(true);
    expect(errorsOf(report).find((f) => f.check === 'hash')?.message).toBe(
      'entry seq 4: its content does not match its hash (the entry was altered)',
    );
  });

  it('a removed entry', async () => {
    const entries = await readEntries(dir);
    await writeLines(
      dir,
      entries.filter((e) => e.seq !== 3),
    );
    const report = await verifyEvidence(dir, { rules: toyRules });
    expect(report.ok).toBe(false);
    expect(errorsOf(report).map((f) => f.message)).toEqual([
      'entry seq 4 is at journal line 3, where entry seq 3 is expected: an entry is missing or out of order',
      'entry seq 4: prevHash does not match entry 2',
    ]);
  });

  it('a removed submission-sealed entry', async () => {
    const entries = await readEntries(dir);
    await writeLines(
      dir,
      entries.filter((e) => e.seq !== 5),
    );
    const report = await verifyEvidence(dir, { rules: toyRules });
    expect(errorsOf(report).map((f) => [f.seq, f.check])).toEqual([
      [6, 'seq'],
      [6, 'prev-hash'],
    ]);
  });

  it('a journal cut after a run-sealed entry: verified up to it, with a warning that its submission was never sealed', async () => {
    const entries = await readEntries(dir);
    const lastRun = entries.findLast((e) => e.type === 'run-sealed');
    if (lastRun === undefined) throw new Error('fixture changed');
    await writeLines(
      dir,
      entries.filter((e) => e.seq <= lastRun.seq),
    );
    const report = await verifyEvidence(dir, { rules: toyRules });
    expect(errorsOf(report)).toEqual([]);
    const warnings = report.findings.filter((f) => f.severity === 'warning');
    expect(warnings.map((f) => [f.seq, f.check])).toEqual([[lastRun.seq, 'evidence-seal']]);
    expect(warnings[0]?.message).toContain('its submission never was');
  });

  it('a removed first entry', async () => {
    const entries = await readEntries(dir);
    await writeLines(dir, entries.slice(1));
    const report = await verifyEvidence(dir, { rules: toyRules });
    expect(errorsOf(report).map((f) => [f.seq, f.check])).toEqual([
      [2, 'seq'],
      [2, 'prev-hash'],
      [2, 'evidence-seal'],
      [3, 'receipt'],
    ]);
  });

  it('reordered entries', async () => {
    const entries = await readEntries(dir);
    const [a, b, c, d, e, f, g] = entries;
    if (g === undefined) throw new Error('7 entries expected');
    await writeLines(dir, [a, b, c, f, g, d, e] as typeof entries);
    const report = await verifyEvidence(dir, { rules: toyRules });
    expect(errorsOf(report).map((x) => [x.seq, x.check])).toEqual([
      [6, 'seq'],
      [6, 'prev-hash'],
      [4, 'seq'],
      [4, 'prev-hash'],
    ]);
  });

  it('a forged figure in the results, re-signed with the real key: only recomputation catches it', async () => {
    const sealed = (await runEntry(6)).payload;
    const results = JSON.parse((await readBlobBytes(dir, digestOf(sealed['results']))).toString('utf8')) as {
      establishments: { finess: string; indicators: Record<string, { numerator: number }> }[];
    };
    const target = results.establishments.find((e) => e.finess === '970400024');
    if (target === undefined) throw new Error('fixture changed');
    const before = target.indicators['taux-dmp']?.numerator ?? 0;
    (target.indicators['taux-dmp'] as { numerator: number }).numerator = before + 1;
    const forged = await putBlob(dir, canonicalJson(results));
    await rewriteAndResign(dir, store.keys.privateKey, (entries) => {
      const entry = entries[5];
      if (entry !== undefined) entry.payload = { ...entry.payload, results: forged };
    });
    const report = await verifyEvidence(dir, { rules: toyRules, publicKeyPem: store.keys.publicKeyPem });
    expect(report.ok).toBe(false);
    expect(errorsOf(report)[0]).toEqual({
      seq: 6,
      check: 'results',
      severity: 'error',
      message: `entry seq 6 (run run-c): taux-dmp numerator for 970400024 sealed ${before + 1}, recomputed ${before}`,
    });
  });

  it('a forged figure in the submission bytes, re-signed with the real key', async () => {
    const sealed = (await runEntry(5)).payload;
    const body = (await readBlobBytes(dir, digestOf(sealed['submission']))).toString('utf8');
    const bundle = JSON.parse(body) as {
      entry: {
        resource: {
          measure: string;
          reporter: { identifier: { value: string } };
          group: { population: { code: { coding: { code: string }[] }; count: number }[] }[];
        };
      }[];
    };
    const report0 = bundle.entry.find(
      (e) =>
        e.resource.measure.split('|')[0]?.endsWith('/taux-dossiers-actifs') === true &&
        e.resource.reporter.identifier.value === '970400032',
    );
    const numerator = report0?.resource.group[0]?.population.find(
      (p) => p.code.coding[0]?.code === 'numerator',
    );
    if (numerator === undefined) throw new Error('fixture changed');
    numerator.count = 5;
    const forged = await putBlob(dir, JSON.stringify(bundle));
    await rewriteAndResign(dir, store.keys.privateKey, (entries) => {
      const entry = entries[4];
      if (entry !== undefined)
        entry.payload = { ...entry.payload, submission: { ...forged, mediaType: 'application/fhir+json' } };
    });
    const report = await verifyEvidence(dir, { rules: toyRules });
    // (Re-signing changed every later hash, so run-c's sealed submission no longer names its run: seq 7.)
    expect(errorsOf(report)[0]).toEqual({
      seq: 5,
      check: 'submission',
      severity: 'error',
      message:
        'entry seq 5 (submission of run run-b): taux-dossiers-actifs numerator for 970400032 submitted 5, recomputed 4',
    });
  });

  it('a store re-signed with another key: "wrong key" when the expected key is given', async () => {
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    await rewriteAndResign(dir, privateKey, () => undefined);
    await writeFile(join(dir, PUBLIC_KEY_FILE), publicKey.export({ type: 'spki', format: 'pem' }));
    // Without the expected key the forgery is self-consistent: this is why the fingerprint is on the report.
    const unanchored = await verifyEvidence(dir, { rules: toyRules });
    expect(unanchored.ok).toBe(true);
    expect(unanchored.summary.keyFingerprint).toBe(publicKeyFingerprint(publicKey));
    expect(unanchored.summary.keyFingerprint).not.toBe(store.keys.fingerprint);

    const anchored = await verifyEvidence(dir, { rules: toyRules, publicKeyPem: store.keys.publicKeyPem });
    expect(anchored.ok).toBe(false);
    expect(errorsOf(anchored)[0]).toMatchObject({
      seq: null,
      check: 'wrong-key',
    });
    expect(errorsOf(anchored)[0]?.message).toMatch(/^wrong key/);
    expect(
      errorsOf(anchored)
        .filter((f) => f.check === 'signature')
        .map((f) => f.seq),
    ).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(errorsOf(anchored).find((f) => f.check === 'signature')?.message).toMatch(/wrong key$/);

    const byFingerprint = await verifyEvidence(dir, {
      rules: toyRules,
      expectedFingerprint: store.keys.fingerprint,
    });
    expect(errorsOf(byFingerprint).map((f) => f.check)).toContain('wrong-key');
  });

  it('a receipt for a run that was never sealed', async () => {
    await recordReceipt(store, { runId: 'run-ghost', submissionId: 'sub-ghost', receipt: '{}' });
    const report = await verifyEvidence(dir, { rules: toyRules });
    expect(errorsOf(report).map((f) => [f.seq, f.check])).toEqual([[8, 'receipt']]);
    expect(errorsOf(report)[0]?.message).toContain('never sealed');
  });
});

describe('a kept failure sent again (esms resend: submission-requeued)', () => {
  const previousFailure = {
    code: 'submission-permanent',
    reason: 'HTTP 401',
    httpStatus: 401,
    at: '2024-04-01T05:00:00Z',
  };

  it('a resend after a failure of the same sealed run verifies; its record names that failure', async () => {
    const failed = await recordFailure(store, {
      runId: 'run-b',
      submissionId: 'sub-run-b',
      code: 'submission-permanent',
      message: 'HTTP 401',
      httpStatus: 401,
    });
    const requeued = await recordRequeue(store, {
      runId: 'run-b',
      submissionId: 'sub-run-b',
      previousFailure,
    });
    expect(requeued.payload['failureEntry']).toEqual({ seq: failed.seq, hash: failed.hash });
    await recordReceipt(store, { runId: 'run-b', submissionId: 'sub-run-b', receipt: '{}' });
    const report = await verifyEvidence(dir, { rules: toyRules });
    expect(report.findings).toEqual([]);
  });

  it('a resend of a run never sealed, of another submission, or pointing to no failure: each fails, by name', async () => {
    await recordRequeue(store, { runId: 'run-ghost', submissionId: 'sub-ghost', previousFailure });
    await store.append({
      type: 'submission-requeued',
      payload: {
        runId: 'run-b',
        submissionId: 'sub-run-b',
        runEntry: null,
        // seq 3 is run-a's receipt, not a failure of run-b's submission.
        failureEntry: { seq: 3, hash: (await store.entries())[2]?.hash },
        previousFailure,
      },
    });
    const report = await verifyEvidence(dir, { rules: toyRules });
    expect(errorsOf(report).map((f) => [f.seq, f.check, f.message.replace(/^entry seq \d+: /, '')])).toEqual([
      [8, 'receipt', 'resend record for run run-ghost, which was never sealed before it'],
      [9, 'receipt', 'resend record points to no earlier failure record (seq 3)'],
    ]);
  });
});

describe('crash-torn journal', () => {
  it('reports an incomplete last entry distinctly, verifies the rest, and recovers at the next append', async () => {
    await appendFile(join(dir, JOURNAL_FILE), '{"hash":"abc","payload":{"runId":"run-d"');
    const report = await verifyEvidence(dir, { rules: toyRules });
    expect(report.ok).toBe(true);
    expect(report.findings).toEqual([
      expect.objectContaining({ seq: null, check: 'incomplete-last-entry', severity: 'warning' }),
    ]);
    expect(report.findings[0]?.message).toContain('up to entry seq 7');
    expect(report.summary.runsRecomputed).toBe(3);

    const entry = await appendJournalEntry(dir, store.keys.privateKey, { type: 'note', payload: {} });
    expect(entry.seq).toBe(8);
    const torn = await readdir(join(dir, TORN_DIR));
    expect(torn).toHaveLength(1);
    expect(await readFile(join(dir, TORN_DIR, torn[0] ?? ''), 'utf8')).toBe(
      '{"hash":"abc","payload":{"runId":"run-d"',
    );
    const after = await verifyEvidence(dir, { rules: toyRules });
    expect(after.findings).toEqual([]);
  });

  it('refuses to append after an unreadable complete line', async () => {
    await appendFile(join(dir, JOURNAL_FILE), 'garbage\n');
    await expect(
      appendJournalEntry(dir, store.keys.privateKey, { type: 'note', payload: {} }),
    ).rejects.toMatchObject({
      code: 'evidence-io',
    });
    const report = await verifyEvidence(dir, { rules: toyRules });
    expect(errorsOf(report)).toEqual([expect.objectContaining({ seq: 8, check: 'entry-format' })]);
  });
});

describe('exported bundles', () => {
  it.each(['evidence.tar', 'evidence.tar.gz'])(
    '%s verifies offline, and fails once a byte in it changes',
    async (name) => {
      const out = join(dir, '..', `${dir.split('/').pop() ?? 'x'}-${name}`);
      try {
        const exported = await exportEvidence(dir, out, { softwareVersion: '0.1.0' });
        expect(exported).toMatchObject({ entries: 7, lastSeq: 7, fingerprint: store.keys.fingerprint });
        const report = await verifyEvidence(out, { rules: toyRules, publicKeyPem: store.keys.publicKeyPem });
        expect(report.findings).toEqual([]);
        expect(report).toMatchObject({
          ok: true,
          kind: 'bundle',
          summary: { entries: 7, runsRecomputed: 3 },
        });
        if (name === 'evidence.tar') {
          const bytes = await readFile(out);
          // Change a digit inside the journal member (a seq number): the entry's hash no longer holds.
          const at = bytes.indexOf(Buffer.from('"seq":3'));
          expect(at).toBeGreaterThan(0);
          bytes[at + 6] = '7'.charCodeAt(0);
          await writeFile(out, bytes);
          const tampered = await verifyEvidence(out, { rules: toyRules });
          expect(tampered.ok).toBe(false);
          expect(errorsOf(tampered).map((f) => [f.seq, f.check])).toContainEqual([7, 'hash']);
        }
      } finally {
        await rm(out, { force: true });
      }
    },
  );

  it('reports a file that is not a bundle', async () => {
    const out = join(dir, 'not-a-bundle.tar');
    await writeFile(out, 'hello');
    const report = await verifyEvidence(out, { rules: toyRules });
    expect(report.ok).toBe(false);
    expect(report.findings[0]).toMatchObject({ check: 'bundle' });
  });
});
