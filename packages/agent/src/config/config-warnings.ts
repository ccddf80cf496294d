import { checkFiness, timezoneForFiness } from '@esms-numerique/sdk';
import type { AgentConfig } from './agent-config-schema.js';
import type { ConfigProblem } from './config-problem.js';
import { exists } from '../shared/exists.js';

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);
/** Reserved example domains (RFC 2606): left in from `esms init`, they can never be reached. */
const PLACEHOLDER_HOST = /(^|\.)(example|invalid)$|(^|\.)example\.(com|net|org)$/;

/**
 * Things that do not stop the agent but are probably mistakes, reported by `esms validate-config`
 * without failing it: plain http to another machine (data and credentials in clear), placeholder hosts
 * left from `esms init`, NDJSON paths that do not exist yet (an export may land there later), the obsolete
 * `sources[].since: null` an older `esms init` wrote, FINESS numbers whose key fails (an error only in
 * strict mode, where the SDK excludes them), and overseas FINESS numbers whose territory gives no known
 * time zone (the SDK's `timezone-unknown`: Europe/Paris is then a guess) with no `timezone` set.
 */
export async function configWarnings(config: AgentConfig): Promise<ConfigProblem[]> {
  const warnings: ConfigProblem[] = [];
  // A proxy is reached in plain http by design (HTTPS goes through it in a CONNECT tunnel).
  const checkUrl = (key: string, value: string | null, kind: 'server' | 'proxy' = 'server'): void => {
    if (value === null) return;
    const url = new URL(value);
    if (PLACEHOLDER_HOST.test(url.hostname)) {
      warnings.push({ key, message: `${url.hostname} is a placeholder domain: put the real address` });
    } else if (kind === 'server' && url.protocol === 'http:' && !LOOPBACK_HOSTS.has(url.hostname)) {
      warnings.push({
        key,
        message: 'plain http to another machine: records and credentials travel in clear; use https',
      });
    }
  };
  for (const [index, source] of config.sources.entries()) {
    if (source.type === 'fhir') {
      checkUrl(`sources[${index}].baseUrl`, source.baseUrl);
      if (source.auth.type === 'oauth2-client-credentials')
        checkUrl(`sources[${index}].auth.tokenUrl`, source.auth.tokenUrl);
      checkUrl(`sources[${index}].proxy`, source.proxy, 'proxy');
      if (source.since === null) {
        warnings.push({
          key: `sources[${index}].since`,
          message:
            'no longer used (every record is read; AuditEvents from the computation window): remove the key',
        });
      }
    } else {
      for (const [pathIndex, path] of source.paths.entries()) {
        if (!(await exists(path))) {
          warnings.push({
            key: `sources[${index}].paths[${pathIndex}]`,
            message: `${path} does not exist (yet)`,
          });
        }
      }
    }
  }
  if (config.ars !== null) {
    checkUrl('ars.endpoint', config.ars.endpoint);
    checkUrl('ars.proxy', config.ars.proxy, 'proxy');
    if (config.ars.auth.type === 'oauth2-client-credentials')
      checkUrl('ars.auth.tokenUrl', config.ars.auth.tokenUrl);
  }
  const webhook = config.alerts?.webhook;
  if (webhook !== undefined && webhook !== null) {
    checkUrl('alerts.webhook.url', webhook.url);
    checkUrl('alerts.webhook.proxy', webhook.proxy, 'proxy');
  }
  config.establishments.forEach((establishment, index) => {
    if (checkFiness(establishment.finess).problem === 'key') {
      warnings.push({
        key: `establishments[${index}].finess`,
        message:
          config.computation.finessMode === 'strict'
            ? 'the FINESS key (last digit) does not check: in strict mode this ESSMS is excluded from the results'
            : 'the FINESS key (last digit) does not check: a typo? (accepted in lenient mode)',
      });
    }
    if (establishment.timezone === undefined && timezoneForFiness(establishment.finess).unknown) {
      warnings.push({
        key: `establishments[${index}].finess`,
        message:
          'an overseas FINESS (98…) of a territory whose time zone is not known: its figures would be computed ' +
          `on Europe/Paris time (timezone-unknown); set establishments[${index}].timezone (e.g. Pacific/Noumea)`,
      });
    }
  });
  return warnings;
}
