import { mkdtemp, readFile, rm, stat, unlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { initEvidenceKeys, loadEvidenceKeys, publicKeyFingerprint } from './keys.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'esms-keys-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('initEvidenceKeys', () => {
  it('creates the key pair and the secret, private files readable by the owner only', async () => {
    const result = await initEvidenceKeys(dir);
    expect(result.created).toEqual({ privateKey: true, publicKey: true, pseudonymSecret: true });
    expect((await stat(result.privateKeyPath)).mode & 0o777).toBe(0o600);
    expect((await stat(result.pseudonymSecretPath)).mode & 0o777).toBe(0o600);
    expect((await readFile(result.pseudonymSecretPath)).length).toBe(32);
    expect(await readFile(result.publicKeyPath, 'utf8')).toMatch(/^-----BEGIN PUBLIC KEY-----/);
    expect(result.fingerprint).toMatch(/^([0-9a-f]{4} ){15}[0-9a-f]{4}$/);
    expect(result.fingerprint).toBe(publicKeyFingerprint(await readFile(result.publicKeyPath, 'utf8')));
  });

  it('never overwrites existing keys', async () => {
    const first = await initEvidenceKeys(dir);
    const privateBefore = await readFile(first.privateKeyPath);
    const secretBefore = await readFile(first.pseudonymSecretPath);
    const second = await initEvidenceKeys(dir);
    expect(second.created).toEqual({ privateKey: false, publicKey: false, pseudonymSecret: false });
    expect(await readFile(first.privateKeyPath)).toEqual(privateBefore);
    expect(await readFile(first.pseudonymSecretPath)).toEqual(secretBefore);
    expect(second.fingerprint).toBe(first.fingerprint);
  });

  it('derives a missing public key from the private one', async () => {
    const first = await initEvidenceKeys(dir);
    await unlink(first.publicKeyPath);
    const second = await initEvidenceKeys(dir);
    expect(second.created.publicKey).toBe(true);
    expect(second.fingerprint).toBe(first.fingerprint);
  });

  it('refuses to create a private key that would not match an existing public key', async () => {
    const first = await initEvidenceKeys(dir);
    await unlink(first.privateKeyPath);
    const error: unknown = await initEvidenceKeys(dir).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'evidence-io' });
    expect((error as Error).message).toContain('refusing');
  });

  it('two concurrent inits end with one key', async () => {
    const [a, b] = await Promise.all([initEvidenceKeys(dir), initEvidenceKeys(dir)]);
    expect(a.fingerprint).toBe(b.fingerprint);
    expect((await loadEvidenceKeys(dir)).fingerprint).toBe(a.fingerprint);
  });

  it('loadEvidenceKeys says how to create missing keys', async () => {
    const error: unknown = await loadEvidenceKeys(dir).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'evidence-io' });
    expect((error as Error).message).toContain('esms init');
  });
});
