import { cp, mkdtemp, readdir, readFile, rm, unlink, writeFile, appendFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import type { MeasureReport } from 'fhir/r4.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AgentHome } from './support/agent-config.js';
import { FIXTURE_EXPORT } from './support/expectations.js';
import { cleanUpLoopbacks, loopbackAgent } from './support/loopback.js';
import { startLoopbackTsa, type LoopbackTsa } from './support/loopback-tsa.js';
import { esms, killChildren } from './support/processes.js';

// Issue 10 §2 end to end through the CLI: the evidence seal held by the reference receiver, checked by
// esms verify (receipts, --expect-head); RFC 3161 timestamps from a real TSA on loopback; key rotation.
const SEAL = 'https://esms-numerique.github.io/fhir/StructureDefinition/evidence-seal';
const SEAL_PREVIOUS = 'https://esms-numerique.github.io/fhir/StructureDefinition/evidence-seal-previous';
const GENESIS = '0'.repeat(64);
let tsa: LoopbackTsa;
let scratch: string;

beforeAll(async () => {
  tsa = await startLoopbackTsa();
  scratch = await mkdtemp(join(tmpdir(), 'esms-e2e-anchor-'));
});
afterAll(async () => {
  await killChildren();
  await cleanUpLoopbacks();
  await tsa.close();
  await rm(scratch, { recursive: true, force: true });
});

interface Entry {
  seq: number;
  type: string;
  hash: string;
  prevHash: string;
  payload: Record<string, unknown>;
}

async function journal(home: AgentHome): Promise<Entry[]> {
  return (await readFile(join(home.dataDir, 'evidence', 'journal.ndjson'), 'utf8'))
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as Entry);
}

const sealOf = (report: MeasureReport, url = SEAL): string | undefined =>
  report.extension?.find((e) => e.url === url)?.valueString;

async function withTimestamping(home: AgentHome, caFile: string | null): Promise<void> {
  await appendFile(
    home.configPath,
    `evidence: { timestamping: { url: ${JSON.stringify(tsa.url)}, caFile: ${caFile === null ? 'null' : JSON.stringify(caFile)} } }\n`,
  );
}

const runOnce = (home: AgentHome, date: string) =>
  esms(['run-once', '--config', home.configPath, '--measure-date', date]);

describe('the ARS holds the chain head; timestamps; key rotation (built CLI, reference receiver, loopback TSA)', () => {
  it('every report carries its run seal; receipts verify against the chain; --expect-head catches a truncation; re-sealed figures create nothing new', async () => {
    const { home, receiver } = await loopbackAgent({ ndjsonDir: FIXTURE_EXPORT });
    await withTimestamping(home, tsa.caFile);
    const first = await runOnce(home, '2024-04-01');
    expect(first.code, first.stderr).toBe(0);
    const [run1, sub1, receipt1] = await journal(home);
    expect([run1?.type, sub1?.type, receipt1?.type]).toEqual([
      'run-sealed',
      'submission-sealed',
      'submission-receipt',
    ]);
    const stored1 = await receiver.reports();
    expect(stored1).toHaveLength(18);
    for (const report of stored1) {
      expect(sealOf(report)).toBe(run1?.hash);
      expect(sealOf(report, SEAL_PREVIOUS)).toBe(GENESIS);
    }
    // The receipt sealed in the journal returns the seal the ARS stored with each report.
    const receiptDigest = (receipt1?.payload['receipt'] as { digest: string }).digest.slice(7);
    const receiptBlob = JSON.parse(
      gunzipSync(
        await readFile(
          join(home.dataDir, 'evidence', 'blobs', 'sha256', receiptDigest.slice(0, 2), `${receiptDigest}.gz`),
        ),
      ).toString('utf8'),
    ) as { body: string };
    const response = JSON.parse(receiptBlob.body) as {
      meta: { extension: { valueString: string }[] };
      entry: { response: { extension: { valueString: string }[] } }[];
    };
    expect(response.meta.extension[0]?.valueString).toBe(run1?.hash);
    expect(response.entry.every((e) => e.response.extension[0]?.valueString === run1?.hash)).toBe(true);

    // Another quarter, then the first figures sealed again by a later run.
    expect((await runOnce(home, '2024-03-01')).code).toBe(0);
    const again = await runOnce(home, '2024-04-01');
    expect(again.code, again.stderr).toBe(0);
    const entries = await journal(home);
    const runs = entries.filter((e) => e.type === 'run-sealed');
    expect(runs).toHaveLength(3);
    // Same figures, same submission id (the seal is not part of it), another seal; nothing new at the ARS.
    expect(runs[2]?.payload['submissionId']).toBe(runs[0]?.payload['submissionId']);
    expect(runs[2]?.hash).not.toBe(runs[0]?.hash);
    expect((await receiver.stats()).storedReports).toBe(36);
    const stored = await receiver.reports();
    const arsSeals = new Set(stored.map((r) => sealOf(r)));
    expect(arsSeals).toEqual(new Set([runs[0]?.hash, runs[1]?.hash]));

    const store = join(home.dataDir, 'evidence');
    const verify = await esms([
      'verify',
      store,
      '--tsa-ca',
      tsa.caFile,
      '--expect-head',
      runs[1]?.hash ?? '',
    ]);
    expect(verify.code, verify.stdout).toBe(0);
    expect(verify.stdout).toMatch(
      /Timestamps \(RFC 3161\): 9 token\(s\), 9 checked against the TSA's certificate, 0 entries without/,
    );
    expect(verify.stdout).toContain(`Expected head: ${runs[1]?.hash}`);

    // Someone removes the last two runs from the journal (and, to hide it, their timestamp tokens).
    const truncated = join(scratch, 'truncated');
    await cp(store, truncated, { recursive: true });
    const kept = entries.filter((e) => e.seq <= 3);
    await writeFile(join(truncated, 'journal.ndjson'), `${kept.map((e) => JSON.stringify(e)).join('\n')}\n`);
    const tokensLeft = await esms(['verify', truncated]);
    expect(tokensLeft.code).toBe(4);
    expect(tokensLeft.stdout).toMatch(
      /timestamp token is kept for entry hash [0-9a-f]{64}, which is no entry of this journal/,
    );
    for (const entry of entries.filter((e) => e.seq > 3))
      await unlink(join(truncated, 'timestamps', `${entry.hash}.tsr`));
    const blind = await esms(['verify', truncated]);
    expect(blind.code, blind.stdout).toBe(0); // nothing in the store itself shows it…
    const anchored = await esms(['verify', truncated, '--expect-head', runs[1]?.hash ?? '']);
    expect(anchored.code).toBe(4); // …but the seal the ARS holds does.
    expect(anchored.stdout).toContain(
      `the expected head ${runs[1]?.hash} is the hash of no entry of this journal`,
    );

    // The bundle carries the timestamps; it verifies offline with the TSA's CA and the ARS's seal.
    const bundle = join(scratch, 'anchor.tar.gz');
    expect((await esms(['export-evidence', '--config', home.configPath, '--out', bundle])).code).toBe(0);
    const offline = await esms([
      'verify',
      bundle,
      '--tsa-ca',
      tsa.caFile,
      '--expect-head',
      runs[1]?.hash ?? '',
    ]);
    expect(offline.code, offline.stdout).toBe(0);

    // The portal export carries the seal too.
    const fhir = await esms([
      'export',
      '--format',
      'fhir',
      '--config',
      home.configPath,
      '--measure-date',
      '2024-03-01',
    ]);
    expect(fhir.code, fhir.stderr).toBe(0);
    const exported = JSON.parse(fhir.stdout) as { entry: { resource: MeasureReport }[] };
    expect(exported.entry.every((e) => sealOf(e.resource) === runs[1]?.hash)).toBe(true);
  });

  it('a token for another hash or from an expired TSA certificate is refused by the agent and fails verify', async () => {
    const { home } = await loopbackAgent({ ndjsonDir: FIXTURE_EXPORT });
    // Without caFile the agent checks only that a token stamps its entry: the expired one is kept, then
    // verify --tsa-ca refuses it.
    await withTimestamping(home, null);
    tsa.mode = 'expired';
    try {
      expect((await runOnce(home, '2024-04-01')).code).toBe(0);
    } finally {
      tsa.mode = 'valid';
    }
    const store = join(home.dataDir, 'evidence');
    const expired = await esms(['verify', store, '--tsa-ca', tsa.caFile]);
    expect(expired.code).toBe(4);
    expect(expired.stdout).toMatch(
      /entry seq 1: its timestamp token does not verify: .*(expired|not yet valid)/,
    );
    const unchecked = await esms(['verify', store]);
    expect(unchecked.code).toBe(0);
    expect(unchecked.stdout).toContain('their signatures were not checked (give the TSA');

    // A TSA answering with a token for another hash: never kept.
    tsa.mode = 'other-hash';
    let run;
    try {
      run = await runOnce(home, '2024-03-01');
    } finally {
      tsa.mode = 'valid';
    }
    expect(run.code).toBe(0);
    expect(run.stderr).toMatch(/the TSA stamped another hash/);
    const tokens = await readdir(join(store, 'timestamps'));
    const entries = await journal(home);
    expect(tokens).toHaveLength(3);
    // A token planted for another entry: verify names it.
    const planted = join(scratch, 'planted');
    await cp(store, planted, { recursive: true });
    await cp(
      join(planted, 'timestamps', `${entries[0]?.hash}.tsr`),
      join(planted, 'timestamps', `${entries[3]?.hash}.tsr`),
    );
    const wrong = await esms(['verify', planted]);
    expect(wrong.code).toBe(4);
    expect(wrong.stdout).toContain('entry seq 4: its timestamp token stamps another hash');
  });

  it('esms rotate-key: the old key signs the rotation; verify follows it and accepts either fingerprint', async () => {
    const { home } = await loopbackAgent({ ndjsonDir: FIXTURE_EXPORT });
    expect((await runOnce(home, '2024-03-01')).code).toBe(0);
    const store = join(home.dataDir, 'evidence');
    const before = await esms(['verify', store]);
    const oldFingerprint = /Signing key fingerprint: (.+)/.exec(before.stdout)?.[1] ?? '';
    const rotated = await esms(['rotate-key', '--config', home.configPath]);
    expect(rotated.code, rotated.stderr).toBe(0);
    const newFingerprint = /New key fingerprint: (.+)/.exec(rotated.stdout)?.[1] ?? '';
    expect(rotated.stdout).toContain(`Old key fingerprint: ${oldFingerprint}`);
    expect(newFingerprint).not.toBe(oldFingerprint);
    expect(await readdir(store)).not.toContain('evidence-key.next.pem');
    expect((await runOnce(home, '2024-04-01')).code).toBe(0);
    const types = (await journal(home)).map((e) => e.type);
    expect(types.slice(3, 4)).toEqual(['key-rotated']);
    for (const fingerprint of [oldFingerprint, newFingerprint]) {
      const verify = await esms(['verify', store, '--fingerprint', fingerprint]);
      expect(verify.code, verify.stdout).toBe(0);
      expect(verify.stdout).toContain('Keys followed:');
    }
    expect((await esms(['verify', store, '--fingerprint', 'ab'.repeat(32)])).code).toBe(4);
  });
});
