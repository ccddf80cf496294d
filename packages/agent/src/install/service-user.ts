import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { UsageError } from '../errors.js';

export interface ServiceUser {
  name: string;
  uid: number;
  /** The user's primary group (`esms` for a user made by `useradd --system`). */
  gid: number;
  /** That group's name (its number when it has none). */
  group: string;
}

/**
 * The uid and primary gid of a system user: `getent passwd` (NSS, so LDAP or sssd users too), else
 * `/etc/passwd` read directly.
 *
 * @throws UsageError naming the command that creates it, when there is no such user.
 */
export async function lookUpServiceUser(name: string): Promise<ServiceUser> {
  const line = (await getent('passwd', name)) ?? (await passwdFileLine(name));
  const fields = line?.split(':');
  const uid = Number(fields?.[2]);
  const gid = Number(fields?.[3]);
  if (line === undefined || !Number.isInteger(uid) || !Number.isInteger(gid)) {
    throw new UsageError(
      `there is no user ${name}: create the service user first, e.g. ` +
        `useradd --system --home-dir /var/lib/esms --shell /usr/sbin/nologin ${name}`,
    );
  }
  return { name, uid, gid, group: await groupName(gid) };
}

async function groupName(gid: number): Promise<string> {
  const line =
    (await getent('group', String(gid))) ??
    (await readFile('/etc/group', 'utf8').catch(() => ''))
      .split('\n')
      .find((l) => l.split(':')[2] === String(gid));
  return line?.split(':')[0] || String(gid);
}

async function getent(database: 'passwd' | 'group', key: string): Promise<string | undefined> {
  try {
    const { stdout } = await promisify(execFile)('getent', [database, key], { encoding: 'utf8' });
    return stdout.split('\n')[0] || undefined;
  } catch {
    return undefined; // no such user (exit 2), or no getent
  }
}

async function passwdFileLine(name: string): Promise<string | undefined> {
  const text = await readFile('/etc/passwd', 'utf8').catch(() => '');
  return text.split('\n').find((line) => line.startsWith(`${name}:`));
}
