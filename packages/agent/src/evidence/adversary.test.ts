/**
 * Issue 10, at the API: what an adversary holding the store (and even its signing key) can and cannot do,
 * and the verification API `esms report` loads its runs through.
 */
import type { KeyObject } from 'node:crypto';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { putBlob } from './blobs.js';
import type { Digest } from './canonical-json.js';
import { EVIDENCE_SEAL_URL } from './evidence-seal.js';
import {
  GENESIS_HASH,
  appendJournalEntry,
  computeEntryHash,
  signEntryHash,
  type JournalEntry,
} from './journal.js';
import { keyRef } from './key-rotation.js';
import { loadEvidenceKeys, prepareNextKey } from './keys.js';
import { rotateEvidenceKey } from './rotate-key.js';
import { recordReceipt } from './seal.js';
import { openEvidenceStore, type FileEvidenceStore } from './store.js';
import { verifyStoreRun } from './verified-run.js';
import { verifyEvidence } from './verify.js';
import { readBlobBytes, readEntries, writeLines } from './__fixtures__/tamper.js';
import { sealToyRun } from './__fixtures__/seal-toy-run.js';
import { toyRules } from './__fixtures__/toy-rules.js';
import { loadReportInput } from '../report/load-report-input.js';

let dir: string;
let store: FileEvidenceStore;

/** The receiver's answer: the seal it stored with each report, and the one the request carried. */
function receiptWithSeals(seal: string): {
  status: number;
  headers: object;
  body: string;
  receivedAt: string;
} {
  const extension = [{ url: EVIDENCE_SEAL_URL, valueString: seal }];
  return {
    status: 200,
    headers: {},
    body: JSON.stringify({
      resourceType: 'Bundle',
      meta: { extension },
      type: 'transaction-response',
      entry: [{ response: { status: '201 Created', location: 'MeasureReport/x/_history/1', extension } }],
    }),
    receivedAt: '2024-04-01T05:00:01Z',
  };
}

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'esms-adversary-'));
  let tick = 0;
  store = await openEvidenceStore(dir, {
    create: true,
    now: () => new Date(Date.UTC(2024, 3, 1, 5, 0, tick++)),
  });
  for (const [runId, variant] of [
    ['run-a', 0],
    ['run-b', 1],
  ] as const) {
    const run = await sealToyRun(store, { runId, variant });
    await recordReceipt(store, { runId, submissionId: `sub-${runId}`, receipt: receiptWithSeals(run.hash) });
  }
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/**
 * What a thief of the signing key does to rewrite history: change entries, then re-chain and re-sign
 * them one by one, fixing every reference to a run's hash and rebuilding the submission bytes with the
 * new seals, so that every digest, link, signature and evidence seal of the store holds again.
 */
async function rebuildWithStolenKey(
  key: KeyObject,
  mutate: (entries: JournalEntry[]) => JournalEntry[],
): Promise<void> {
  const renamed = new Map<string, string>();
  let prevHash = GENESIS_HASH;
  const out: JournalEntry[] = [];
  for (const [index, original] of mutate(await readEntries(dir)).entries()) {
    const payload = structuredClone(original.payload);
    if (original.type === 'submission-sealed') {
      const oldRun = (payload['runEntry'] as { hash: string }).hash;
      const run = out.find((e) => e.hash === renamed.get(oldRun));
      if (run === undefined) throw new Error('no run');
      const digest = (payload['submission'] as { digest: Digest }).digest;
      const previousSeal = (payload['seal'] as { previous: string }).previous;
      const bytes = (await readBlobBytes(dir, digest))
        .toString('utf8')
        .replaceAll(oldRun, run.hash)
        .replaceAll(previousSeal, run.prevHash);
      payload['runEntry'] = { seq: run.seq, hash: run.hash };
      payload['seal'] = { hash: run.hash, previous: run.prevHash };
      payload['submission'] = { ...(await putBlob(dir, bytes)), mediaType: 'application/fhir+json' };
    }
    for (const name of ['runEntry', 'failureEntry']) {
      const reference = payload[name] as { seq: number; hash: string } | null | undefined;
      if (
        original.type !== 'submission-sealed' &&
        reference?.hash !== undefined &&
        renamed.has(reference.hash)
      ) {
        payload[name] = {
          seq: out.find((e) => e.hash === renamed.get(reference.hash))?.seq,
          hash: renamed.get(reference.hash),
        };
      }
    }
    const unsigned = { seq: index + 1, type: original.type, time: original.time, prevHash, payload };
    const hash = computeEntryHash(unsigned);
    renamed.set(original.hash, hash);
    prevHash = hash;
    out.push({ ...unsigned, hash, signature: signEntryHash(hash, key) });
  }
  await writeLines(dir, out);
}

describe('a thief of the signing key', () => {
  it('can rebuild a consistent chain, but not the seals the ARS returned: the receipts name the forgery', async () => {
    // Remove run-a from history entirely and re-chain what follows.
    await rebuildWithStolenKey(store.keys.privateKey, (entries) => entries.slice(3));
    const report = await verifyEvidence(dir, { rules: toyRules });
    const errors = report.findings.filter((f) => f.severity === 'error');
    expect(errors.map((f) => f.check)).toEqual(['anchor', 'anchor']);
    expect(errors[0]?.message).toMatch(
      /the ARS's receipt holds the evidence seal [0-9a-f]{64}.*no run-sealed entry of this journal/,
    );
  });

  it('who also strips the seals from the receipts passes verify alone, never --expect-head with the ARS seal', async () => {
    const sealAtArs = (await readEntries(dir))[3]?.hash ?? '';
    const stripped = await putBlob(
      dir,
      JSON.stringify({ status: 200, headers: {}, body: '{}', receivedAt: 'x' }),
    );
    await rebuildWithStolenKey(store.keys.privateKey, (entries) =>
      entries
        .slice(3)
        .map((e) =>
          e.type === 'submission-receipt' ? { ...e, payload: { ...e.payload, receipt: stripped } } : e,
        ),
    );
    const alone = await verifyEvidence(dir, { rules: toyRules });
    expect(alone.findings.filter((f) => f.severity === 'error')).toEqual([]);
    const anchored = await verifyEvidence(dir, { rules: toyRules, expectedHead: sealAtArs });
    expect(anchored.ok).toBe(false);
    expect(anchored.findings.map((f) => f.check)).toContain('expected-head');
  });
});

describe('key rotation', () => {
  it('after a rotation, an entry signed with the old key fails; the rotation itself verifies', async () => {
    const old = store.keys.privateKey;
    const rotated = await rotateEvidenceKey(dir);
    expect(rotated.entry.type).toBe('key-rotated');
    const fresh = await openEvidenceStore(dir);
    await sealToyRun(fresh, { runId: 'run-c', variant: 2 });
    expect((await verifyEvidence(dir, { rules: toyRules })).findings).toEqual([]);
    await appendJournalEntry(dir, old, { type: 'note', payload: {} });
    const report = await verifyEvidence(dir, { rules: toyRules });
    expect(report.findings.filter((f) => f.severity === 'error').map((f) => [f.seq, f.check])).toEqual([
      [10, 'signature'],
    ]);
    expect(report.summary.keys.map((k) => k.fromSeq)).toEqual([null, 8]);
  });

  it('a rotation cut by a crash after its entry is finished when the store is opened again', async () => {
    const current = await loadEvidenceKeys(dir);
    const next = await prepareNextKey(dir);
    await appendJournalEntry(dir, current.privateKey, {
      type: 'key-rotated',
      payload: { previousKey: keyRef(current.publicKeyPem), newKey: keyRef(next.publicKeyPem) },
    });
    // Crash here: the key files still hold the old key; verify says so.
    expect((await verifyEvidence(dir, { rules: toyRules })).findings.map((f) => f.check)).toEqual([
      'public-key',
    ]);
    const reopened = await openEvidenceStore(dir);
    expect(reopened.keys.fingerprint).toBe(keyRef(next.publicKeyPem).fingerprint);
    await sealToyRun(reopened, { runId: 'run-c' });
    expect((await verifyEvidence(dir, { rules: toyRules })).findings).toEqual([]);
  });
});

describe('verifyStoreRun, the API esms export and esms report load a run through', () => {
  it('gives the verdict, the run and its seal for a store that verifies', async () => {
    const checked = await verifyStoreRun(dir, {}, { rules: toyRules });
    expect(checked.verdict).toBe('verified');
    expect(checked.run?.entry.payload['runId']).toBe('run-b');
    expect(checked.run?.seal?.hash).toBe(checked.run?.entry.hash);
    expect(checked.report.runs.map((r) => r.runId)).toEqual(['run-b']);
    expect((await verifyStoreRun(dir, { measureDate: '1999-01-01' }, { rules: toyRules })).verdict).toBe(
      'no-such-run',
    );
  });

  it.each([1000, 3000])(
    'a %i-deep payload: a not-verified verdict and a loadable report, never a RangeError',
    async (depth) => {
      const copy = await mkdtemp(join(tmpdir(), 'esms-deep-'));
      try {
        await cp(dir, copy, { recursive: true });
        const path = join(copy, 'journal.ndjson');
        const lines = (await readFile(path, 'utf8')).split('\n');
        const entry = JSON.parse(lines[3] ?? '{}') as JournalEntry;
        entry.payload['periods'] = JSON.parse(`${'['.repeat(depth)}${']'.repeat(depth)}`) as unknown;
        lines[3] = JSON.stringify(entry);
        await writeFile(path, lines.join('\n'));
        const checked = await verifyStoreRun(copy, {}, { rules: toyRules });
        expect(checked.verdict).toBe('not-verified');
        expect(checked.problem).toMatch(/journal line 4 .* unreadable: nested deeper than 64 levels/);
        const input = await loadReportInput(copy, checked);
        expect(input.verification.ok).toBe(false);
      } finally {
        await rm(copy, { recursive: true, force: true });
      }
    },
  );
});
