import { constants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { AgentConfig } from '../config/agent-config-schema.js';
import type { AuthConfig } from '../config/auth-schema.js';
import type { ConfigProblem } from '../config/config-problem.js';
import { describeFileError, resolveSecret, type ResolveSecretOptions } from './resolve-secret.js';
import { isSecretMissingError } from './secret-missing-error.js';
import type { SecretRef } from './secret-ref.js';

/** A credential the config points to: a secret reference, or a file (TLS certificate, key, CA bundle). */
export type CredentialRef = { key: string; secret: SecretRef } | { key: string; file: string };

/** Every credential the config refers to, each with its config key (`sources[0].auth.token`). */
export function listCredentials(config: AgentConfig): CredentialRef[] {
  const credentials: CredentialRef[] = [];
  config.sources.forEach((source, index) => {
    if (source.type === 'fhir') credentials.push(...authCredentials(source.auth, `sources[${index}].auth`));
  });
  if (config.ars !== null) credentials.push(...authCredentials(config.ars.auth, 'ars.auth'));
  const alertToken = config.alerts?.webhook?.token;
  if (alertToken !== undefined) credentials.push({ key: 'alerts.webhook.token', secret: alertToken });
  const serveToken = config.serve?.token;
  if (serveToken !== undefined) credentials.push({ key: 'serve.token', secret: serveToken });
  return credentials;
}

function authCredentials(auth: AuthConfig, prefix: string): CredentialRef[] {
  switch (auth.type) {
    case 'none':
      return [];
    case 'bearer':
      return [{ key: `${prefix}.token`, secret: auth.token }];
    case 'oauth2-client-credentials':
      return [{ key: `${prefix}.clientSecret`, secret: auth.clientSecret }];
    case 'tls-client-certificate':
      return [
        { key: `${prefix}.cert`, file: auth.cert },
        { key: `${prefix}.key`, file: auth.key },
        ...(auth.ca === undefined ? [] : [{ key: `${prefix}.ca`, file: auth.ca }]),
        ...(auth.passphrase === undefined ? [] : [{ key: `${prefix}.passphrase`, secret: auth.passphrase }]),
      ];
  }
}

/**
 * Checks that every secret and credential file the config names can be read now, and reports every one
 * that cannot, at once (the values are read and dropped, never returned). `esms validate-config` treats
 * these as errors: a run would fail on them. An empty list means all credentials are there.
 */
export async function checkSecrets(
  config: AgentConfig,
  options: ResolveSecretOptions = {},
): Promise<ConfigProblem[]> {
  const problems: ConfigProblem[] = [];
  for (const credential of listCredentials(config)) {
    if ('secret' in credential) {
      try {
        await resolveSecret(credential.secret, credential.key, options);
      } catch (error) {
        if (!isSecretMissingError(error)) throw error;
        problems.push(...error.problems);
      }
    } else {
      const problem = await checkReadableFile(credential.file);
      if (problem !== undefined) problems.push({ key: credential.key, message: problem });
    }
  }
  return problems;
}

async function checkReadableFile(file: string): Promise<string | undefined> {
  const path = resolve(file);
  try {
    await access(path, constants.R_OK);
    if (!(await stat(path)).isFile()) return `file ${path} is not a regular file`;
    return undefined;
  } catch (error) {
    return `file ${path} ${describeFileError(error)}`;
  }
}
