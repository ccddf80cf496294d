import { cp, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXIT_CODE_BY_ERROR } from '../errors.js';
import { openEvidenceStore } from '../evidence/store.js';
import type { FileEvidenceStore } from '../evidence/store.js';
import { sealToyRun } from '../evidence/__fixtures__/seal-toy-run.js';
import { toyRules } from '../evidence/__fixtures__/toy-rules.js';
import { runExportEvidence } from './export-evidence.js';
import { runVerify } from './verify.js';

let dir: string;
let store: FileEvidenceStore;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'esms-verify-cmd-'));
  store = await openEvidenceStore(join(dir, 'evidence'), { create: true });
  await sealToyRun(store, { runId: 'run-1' });
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function capture(): { stdout: { write: (t: string) => void }; text: () => string } {
  const chunks: string[] = [];
  return { stdout: { write: (t: string) => chunks.push(t) }, text: () => chunks.join('') };
}

describe('esms verify', () => {
  it('prints VERIFIED and resolves when everything holds', async () => {
    const out = capture();
    await runVerify(store.dir, {}, out, { rules: toyRules });
    expect(out.text()).toContain('VERIFIED: every digest, link and signature holds');
    expect(out.text()).toContain(store.keys.fingerprint);
  });

  it('exits 4 (evidence-invalid) with the findings when the key is not the expected one', async () => {
    const other = join(dir, 'other.pub.pem');
    const { generateKeyPairSync } = await import('node:crypto');
    await writeFile(other, generateKeyPairSync('ed25519').publicKey.export({ type: 'spki', format: 'pem' }));
    const out = capture();
    const error: unknown = await runVerify(store.dir, { publicKey: other, format: 'json' }, out, {
      rules: toyRules,
    }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'evidence-invalid' });
    expect(EXIT_CODE_BY_ERROR['evidence-invalid']).toBe(4);
    const report = JSON.parse(out.text()) as { ok: boolean; findings: { check: string }[] };
    expect(report.ok).toBe(false);
    expect(report.findings[0]?.check).toBe('wrong-key');
  });

  it('a store with nothing sealed yet: exit 6 (nothing-sealed), no problem reported, not VERIFIED', async () => {
    const fresh = await openEvidenceStore(join(dir, 'fresh'), { create: true });
    for (const path of [fresh.dir, join(dir, 'empty-dir')]) {
      await mkdir(path, { recursive: true });
      const out = capture();
      const error: unknown = await runVerify(path, {}, out, { rules: toyRules }).catch((e: unknown) => e);
      expect(error).toMatchObject({ code: 'nothing-sealed' });
      expect(EXIT_CODE_BY_ERROR['nothing-sealed']).toBe(6);
      expect(out.text()).toContain('NOTHING SEALED YET');
      expect(out.text()).not.toContain('FAIL');
      expect(out.text()).not.toContain('VERIFIED:');
    }
    // The same store once its journal has lost its entries but kept its blobs says so.
    const cut = join(dir, 'cut');
    await cp(store.dir, cut, { recursive: true });
    await writeFile(join(cut, 'journal.ndjson'), '');
    const out = capture();
    await expect(runVerify(cut, { format: 'json' }, out, { rules: toyRules })).rejects.toMatchObject({
      code: 'nothing-sealed',
    });
    const report = JSON.parse(out.text()) as {
      nothingSealed: boolean;
      findings: { severity: string; message: string }[];
    };
    expect(report.nothingSealed).toBe(true);
    expect(report.findings.find((f) => f.severity === 'warning')?.message).toMatch(
      /blob\(s\) but no journal entry/,
    );
  });

  it('bad usage: an unreadable public key file', async () => {
    await expect(
      runVerify(store.dir, { publicKey: join(dir, 'missing.pem') }, capture()),
    ).rejects.toMatchObject({ code: 'usage' });
  });
});

describe('esms export-evidence', () => {
  it('writes a bundle that verifies', async () => {
    const out = capture();
    const bundle = join(dir, 'bundle.tar');
    await runExportEvidence({ out: bundle, evidenceDir: store.dir }, out);
    expect(out.text()).toContain(`Key fingerprint: ${store.keys.fingerprint}`);
    await runVerify(bundle, { fingerprint: store.keys.fingerprint }, capture(), { rules: toyRules });
  });

  it('refuses --config together with --evidence-dir', async () => {
    await expect(
      runExportEvidence({ out: 'x.tar', evidenceDir: store.dir, config: 'c.yaml' }, capture()),
    ).rejects.toMatchObject({
      code: 'usage',
    });
  });
});
