import { chmod, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isAgentError } from '../errors.js';
import { validateConfig } from '../config/load-config.js';
import { parseConfigText } from '../config/parse-config-text.js';
import { lookUpServiceUser } from './service-user.js';
import { installSystemLayout, systemConfigYaml } from './system-install.js';

// `esms init --system` in a temp root (`--root`): the files and rights the systemd unit expects. As root
// (CI, containers) the files are given to another user, `nobody`, as they would be to `esms`; otherwise to
// the user running the test, the only one a non-root process can give files to.
const asRoot = process.getuid?.() === 0;
const SERVICE_USER = asRoot ? 'nobody' : userInfo().username;

let root: string;
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'esms-system-'));
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

async function access(path: string): Promise<{ mode: string; uid: number; gid: number }> {
  const info = await stat(path);
  return { mode: (info.mode & 0o777).toString(8).padStart(4, '0'), uid: info.uid, gid: info.gid };
}

describe('esms init --system', () => {
  it('config in /etc/esms (root, group of the service, 0640), data in /var/lib/esms and keys owned by the service user, keys 0600', async () => {
    const user = await lookUpServiceUser(SERVICE_USER);
    const me = { uid: process.getuid?.() ?? 0, gid: process.getgid?.() ?? 0 };
    const done = await installSystemLayout({ user: SERVICE_USER, root });
    expect(done).toMatchObject({ config: 'created', env: 'created' });
    const etc = join(root, 'etc/esms');
    const data = join(root, 'var/lib/esms');
    expect(done.configPath).toBe(join(etc, 'esms.config.yaml'));
    expect(done.dataDir).toBe(data);
    expect(await access(etc)).toEqual({ mode: '0750', uid: me.uid, gid: user.gid });
    expect(await access(join(etc, 'esms.config.yaml'))).toEqual({ mode: '0640', uid: me.uid, gid: user.gid });
    expect(await access(join(etc, 'esms.env'))).toEqual({ mode: '0600', uid: me.uid, gid: me.gid });
    const owned = { uid: user.uid, gid: user.gid };
    expect(await access(data)).toEqual({ mode: '0700', ...owned });
    expect(await access(join(data, 'evidence'))).toEqual({ mode: '0700', ...owned });
    expect(await access(join(data, 'evidence/evidence-key.pem'))).toEqual({ mode: '0600', ...owned });
    expect(await access(join(data, 'evidence/pseudonym-secret'))).toEqual({ mode: '0600', ...owned });
    expect(await access(join(data, 'evidence/evidence-key.pub.pem'))).toEqual({ mode: '0644', ...owned });
    if (asRoot) expect(user.uid).not.toBe(me.uid);

    // The config is the commented example with the system's data directory, and it validates.
    const text = await readFile(done.configPath, 'utf8');
    expect(text).toBe(systemConfigYaml());
    expect(text).toMatch(/^dataDir: \/var\/lib\/esms$/m);
    const parsed = parseConfigText(text);
    if (!parsed.ok) throw new Error('the system config does not parse');
    expect(validateConfig(parsed.value, etc).dataDir).toBe('/var/lib/esms');
    expect(await readFile(join(etc, 'esms.env'), 'utf8')).toMatch(/^# DUI_TOKEN=$/m);
  });

  it('run again: keeps the config, the secrets file and the keys, and puts loosened rights right', async () => {
    const first = await installSystemLayout({ user: SERVICE_USER, root });
    await writeFile(first.configPath, 'edited: by the IT team\n');
    await writeFile(first.envPath, 'DUI_TOKEN=secret\n');
    await chmod(first.keys.privateKeyPath, 0o644);
    await chmod(first.configPath, 0o666);
    const again = await installSystemLayout({ user: SERVICE_USER, root });
    expect(again).toMatchObject({ config: 'kept', env: 'kept' });
    expect(again.keys.fingerprint).toBe(first.keys.fingerprint);
    expect(again.keys.created).toEqual({ privateKey: false, publicKey: false, pseudonymSecret: false });
    expect(await readFile(first.configPath, 'utf8')).toBe('edited: by the IT team\n');
    expect(await readFile(first.envPath, 'utf8')).toBe('DUI_TOKEN=secret\n');
    expect((await access(first.keys.privateKeyPath)).mode).toBe('0600');
    expect((await access(first.configPath)).mode).toBe('0640');

    const forced = await installSystemLayout({ user: SERVICE_USER, root, force: true });
    expect(forced.config).toBe('replaced');
    expect(await readFile(`${first.configPath}.bak`, 'utf8')).toBe('edited: by the IT team\n');
    expect(await readFile(first.configPath, 'utf8')).toBe(systemConfigYaml());
    expect((await access(first.configPath)).mode).toBe('0640');
  });

  it('a service user that does not exist: bad usage naming the command that creates it, nothing written', async () => {
    const error = await installSystemLayout({ user: 'esms-no-such-user-here', root }).catch(
      (e: unknown) => e,
    );
    expect(isAgentError(error) && error.code).toBe('usage');
    expect(String((error as Error).message)).toContain('useradd --system');
    await expect(stat(join(root, 'etc'))).rejects.toThrow();
  });
});
