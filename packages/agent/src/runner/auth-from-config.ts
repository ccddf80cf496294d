import { readFile } from 'node:fs/promises';
import type { AuthConfig } from '../config/auth-schema.js';
import { AgentError } from '../errors.js';
import type { HttpAuth } from '../http/http-auth.js';
import { resolveSecret } from '../secrets/resolve-secret.js';

/**
 * Turns an `auth` block of the config into credentials, reading secrets from the environment or files
 * only now, when they are needed (never from arguments, never logged). `key` names the config key in
 * errors (`sources[0].auth`).
 */
export async function authFromConfig(auth: AuthConfig, key: string): Promise<HttpAuth> {
  switch (auth.type) {
    case 'none':
      return { type: 'none' };
    case 'bearer':
      return { type: 'bearer', token: await resolveSecret(auth.token, `${key}.token`) };
    case 'oauth2-client-credentials':
      return {
        type: 'oauth2-client-credentials',
        tokenUrl: auth.tokenUrl,
        clientId: auth.clientId,
        clientSecret: await resolveSecret(auth.clientSecret, `${key}.clientSecret`),
        ...(auth.scope === undefined ? {} : { scope: auth.scope }),
      };
    case 'tls-client-certificate':
      return {
        type: 'tls-client-certificate',
        cert: await readPem(auth.cert, `${key}.cert`),
        key: await readPem(auth.key, `${key}.key`),
        ...(auth.ca === undefined ? {} : { ca: await readPem(auth.ca, `${key}.ca`) }),
        ...(auth.passphrase === undefined
          ? {}
          : { passphrase: await resolveSecret(auth.passphrase, `${key}.passphrase`) }),
      };
  }
}

async function readPem(path: string, key: string): Promise<Buffer> {
  try {
    return await readFile(path);
  } catch (cause) {
    throw new AgentError('secret-missing', `${key}: cannot read ${path}`, { cause });
  }
}
