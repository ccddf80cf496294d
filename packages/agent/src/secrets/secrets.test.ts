import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { validateConfig } from '../config/load-config.js';
import { checkSecrets } from './check-secrets.js';
import { resolveSecret } from './resolve-secret.js';
import { SecretMissingError } from './secret-missing-error.js';

const SECRET_VALUE = 'tok-5e1f0c0ffee';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'esms-secrets-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function rejection(promise: Promise<unknown>): Promise<SecretMissingError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(SecretMissingError);
  return error as SecretMissingError;
}

describe('resolveSecret', () => {
  it('reads an environment variable or a file, trimmed', async () => {
    expect(
      await resolveSecret({ env: 'DUI_TOKEN' }, 'sources[0].auth.token', {
        env: { DUI_TOKEN: ` ${SECRET_VALUE}\n` },
      }),
    ).toBe(SECRET_VALUE);
    await writeFile(join(dir, 'token'), `${SECRET_VALUE}\n`);
    expect(await resolveSecret({ file: join(dir, 'token') }, 'ars.auth.token')).toBe(SECRET_VALUE);
  });

  it('names the key and the variable when it is unset or empty', async () => {
    const unset = await rejection(resolveSecret({ env: 'DUI_TOKEN' }, 'sources[0].auth.token', { env: {} }));
    expect(unset.code).toBe('secret-missing');
    expect(unset.problems).toEqual([
      { key: 'sources[0].auth.token', message: 'environment variable DUI_TOKEN is not set' },
    ]);
    expect(unset.message).toBe(
      'secret missing: sources[0].auth.token: environment variable DUI_TOKEN is not set',
    );
    const empty = await rejection(resolveSecret({ env: 'DUI_TOKEN' }, 'k', { env: { DUI_TOKEN: '  \n' } }));
    expect(empty.problems[0]?.message).toBe('environment variable DUI_TOKEN is empty');
  });

  it('names the key and the file when it is missing, empty or a directory', async () => {
    const missing = await rejection(resolveSecret({ file: join(dir, 'nope') }, 'ars.auth.clientSecret'));
    expect(missing.problems).toEqual([
      { key: 'ars.auth.clientSecret', message: `file ${join(dir, 'nope')} does not exist` },
    ]);
    await writeFile(join(dir, 'empty'), '\n');
    expect(
      (await rejection(resolveSecret({ file: join(dir, 'empty') }, 'k'))).problems[0]?.message,
    ).toContain('is empty');
    expect((await rejection(resolveSecret({ file: dir }, 'k'))).problems[0]?.message).toContain(
      'is a directory',
    );
  });
});

describe('checkSecrets', () => {
  it('reports every missing secret at once, with key and place, never a value', async () => {
    await writeFile(join(dir, 'ars-token'), SECRET_VALUE);
    await writeFile(join(dir, 'agent.crt'), 'certificate');
    const config = validateConfig(
      {
        establishments: [{ finess: '970400024' }],
        sources: [
          {
            type: 'fhir',
            baseUrl: 'https://a.example.org/fhir',
            auth: { type: 'bearer', token: { env: 'DUI_TOKEN' } },
          },
          { type: 'ndjson', paths: ['./export'] },
          {
            type: 'fhir',
            baseUrl: 'https://b.example.org/fhir',
            auth: {
              type: 'oauth2-client-credentials',
              tokenUrl: 'https://b.example.org/token',
              clientId: 'agent',
              clientSecret: { env: 'B_SECRET' },
            },
          },
          {
            type: 'fhir',
            baseUrl: 'https://c.example.org/fhir',
            auth: {
              type: 'tls-client-certificate',
              cert: 'agent.crt',
              key: 'agent.key',
              passphrase: { file: 'pass' },
            },
          },
        ],
        ars: {
          endpoint: 'https://ars.example.org/fhir',
          auth: { type: 'bearer', token: { file: 'ars-token' } },
        },
      },
      dir,
    );
    const problems = await checkSecrets(config, { env: { DUI_TOKEN: SECRET_VALUE } });
    expect(problems).toEqual([
      { key: 'sources[2].auth.clientSecret', message: 'environment variable B_SECRET is not set' },
      { key: 'sources[3].auth.key', message: `file ${join(dir, 'agent.key')} does not exist` },
      { key: 'sources[3].auth.passphrase', message: `file ${join(dir, 'pass')} does not exist` },
    ]);
    expect(JSON.stringify(problems)).not.toContain(SECRET_VALUE);
  });

  it.skipIf(process.getuid?.() === 0)('reports an unreadable credential file', async () => {
    await writeFile(join(dir, 'token'), SECRET_VALUE);
    await chmod(join(dir, 'token'), 0o000);
    const config = validateConfig(
      {
        establishments: [{ finess: '970400024' }],
        sources: [
          {
            type: 'fhir',
            baseUrl: 'https://a.example.org/fhir',
            auth: { type: 'bearer', token: { file: 'token' } },
          },
        ],
      },
      dir,
    );
    expect(await checkSecrets(config)).toEqual([
      {
        key: 'sources[0].auth.token',
        message: `file ${join(dir, 'token')} is not readable by this user (permission denied)`,
      },
    ]);
  });
});
