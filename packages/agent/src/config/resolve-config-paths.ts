import { isAbsolute, resolve } from 'node:path';
import type { SecretRef } from '../secrets/secret-ref.js';
import type { AgentConfig } from './agent-config-schema.js';
import type { AlertsConfig } from './alerts-schema.js';
import type { AuthConfig } from './auth-schema.js';
import type { SourceConfig } from './source-schema.js';

/**
 * Makes every path in the config absolute, relative paths being taken from `baseDir` (the config file's
 * directory): the agent then behaves the same whatever directory it is started from (a service manager
 * rarely starts it where the config is).
 */
export function resolveConfigPaths(config: AgentConfig, baseDir: string): AgentConfig {
  const at = (path: string): string => (isAbsolute(path) ? path : resolve(baseDir, path));
  return {
    ...config,
    sources: config.sources.map((source) => resolveSourcePaths(source, at)),
    ars: config.ars === null ? null : { ...config.ars, auth: resolveAuthPaths(config.ars.auth, at) },
    dataDir: at(config.dataDir),
    ...(config.alerts === undefined ? {} : { alerts: resolveAlertPaths(config.alerts, at) }),
    ...(config.serve?.token === undefined
      ? {}
      : { serve: { ...config.serve, token: resolveSecretPath(config.serve.token, at) } }),
    evidence: {
      ...config.evidence,
      timestamping:
        config.evidence.timestamping === null
          ? null
          : {
              ...config.evidence.timestamping,
              caFile:
                config.evidence.timestamping.caFile === null ? null : at(config.evidence.timestamping.caFile),
            },
    },
  };
}

/** A relative alert program (`./notify.sh`) is the config directory's; a bare name is looked up on PATH. */
function resolveAlertPaths(alerts: AlertsConfig, at: (path: string) => string): AlertsConfig {
  const webhook =
    alerts.webhook?.token === undefined
      ? alerts.webhook
      : { ...alerts.webhook, token: resolveSecretPath(alerts.webhook.token, at) };
  const [program, ...args] = alerts.command ?? [];
  const command = program === undefined ? null : [program.includes('/') ? at(program) : program, ...args];
  return { ...alerts, webhook, command };
}

function resolveSourcePaths(source: SourceConfig, at: (path: string) => string): SourceConfig {
  switch (source.type) {
    case 'fhir':
      return { ...source, auth: resolveAuthPaths(source.auth, at) };
    case 'ndjson':
      return { ...source, paths: source.paths.map(at) };
  }
}

function resolveAuthPaths(auth: AuthConfig, at: (path: string) => string): AuthConfig {
  switch (auth.type) {
    case 'none':
      return auth;
    case 'bearer':
      return { ...auth, token: resolveSecretPath(auth.token, at) };
    case 'oauth2-client-credentials':
      return { ...auth, clientSecret: resolveSecretPath(auth.clientSecret, at) };
    case 'tls-client-certificate': {
      const { ca, passphrase, ...rest } = auth;
      return {
        ...rest,
        cert: at(auth.cert),
        key: at(auth.key),
        ...(ca === undefined ? {} : { ca: at(ca) }),
        ...(passphrase === undefined ? {} : { passphrase: resolveSecretPath(passphrase, at) }),
      };
    }
  }
}

function resolveSecretPath(ref: SecretRef, at: (path: string) => string): SecretRef {
  return 'file' in ref ? { file: at(ref.file) } : ref;
}
