import { describe, expect, it } from 'vitest';
import { isSecretMissingError } from '../secrets/secret-missing-error.js';
import { isAgentError } from '../errors.js';
import { resolveServeToken } from './auth.js';
import { parseListenAddress } from './listen-address.js';

describe('--listen', () => {
  it('knows loopback addresses from the others', () => {
    expect(parseListenAddress('127.0.0.1:8787')).toEqual({ host: '127.0.0.1', port: 8787, loopback: true });
    expect(parseListenAddress('[::1]:0')).toEqual({ host: '::1', port: 0, loopback: true });
    expect(parseListenAddress('localhost:80').loopback).toBe(true);
    expect(parseListenAddress('0.0.0.0:8787').loopback).toBe(false);
    expect(parseListenAddress('192.168.1.4:8787').loopback).toBe(false);
  });
  it('is bad usage when it is not HOST:PORT', () => {
    for (const value of ['8787', 'host:', 'host:99999', '[nothost]:1', 'a:b:c']) {
      let thrown: unknown;
      try {
        parseListenAddress(value);
      } catch (error) {
        thrown = error;
      }
      expect(isAgentError(thrown) && thrown.code === 'usage').toBe(true);
    }
  });
});

describe('serve.token', () => {
  it('is read from its environment variable, and absent without the key', async () => {
    const token = await resolveServeToken(
      { serve: { token: { env: 'ESMS_SERVE_TOKEN' }, bodyLimitBytes: 1 } },
      { ESMS_SERVE_TOKEN: 'abcdefghijklmnopqrstuvwx\n' },
    );
    expect(token).toBe('abcdefghijklmnopqrstuvwx');
    expect(await resolveServeToken({}, {})).toBeNull();
    expect(await resolveServeToken(null, {})).toBeNull();
  });
  it('refuses a token too short to resist guessing, naming the key and not the value', async () => {
    const error = await resolveServeToken(
      { serve: { token: { env: 'ESMS_SERVE_TOKEN' }, bodyLimitBytes: 1 } },
      { ESMS_SERVE_TOKEN: 'short-secret' },
    ).catch((e: unknown) => e);
    expect(isSecretMissingError(error)).toBe(true);
    expect(String((error as Error).message)).toContain('serve.token');
    expect(String((error as Error).message)).not.toContain('short-secret');
  });
  it('refuses an unset variable', async () => {
    const error = await resolveServeToken({ serve: { token: { env: 'NOPE' }, bodyLimitBytes: 1 } }, {}).catch(
      (e: unknown) => e,
    );
    expect(isSecretMissingError(error)).toBe(true);
  });
});
