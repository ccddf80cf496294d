import { AgentError } from '../errors.js';

/**
 * Which proxy a component uses (contract.md §4): a URL (`http://user:pass@proxy:3128`) from the config,
 * `false` for none whatever the environment says, or `undefined` to follow HTTPS_PROXY / HTTP_PROXY /
 * NO_PROXY (lower case first, as curl reads them).
 */
export type ProxySetting = string | false | undefined;

type Env = Readonly<Record<string, string | undefined>>;

/**
 * The proxy for a request to `target`, or undefined to connect directly. NO_PROXY applies to a configured
 * proxy too, so that one environment variable keeps the DUI on the local network off the proxy for every
 * component. An https target with only HTTP_PROXY set uses it, as undici's EnvHttpProxyAgent does.
 *
 * @throws AgentError `config-invalid` when the proxy is not an http(s) URL.
 */
export function resolveProxy(target: URL, setting: ProxySetting, env: Env = process.env): URL | undefined {
  if (setting === false) return undefined;
  const raw =
    setting ??
    (target.protocol === 'https:'
      ? (nonEmpty(env['https_proxy']) ?? nonEmpty(env['HTTPS_PROXY']) ?? httpProxyOf(env))
      : httpProxyOf(env));
  if (raw === undefined) return undefined;
  if (bypassesProxy(target, nonEmpty(env['no_proxy']) ?? nonEmpty(env['NO_PROXY']) ?? '')) return undefined;
  let proxy: URL;
  try {
    proxy = new URL(raw);
  } catch (cause) {
    throw new AgentError('config-invalid', 'the proxy is not a valid URL', { cause });
  }
  if (proxy.protocol !== 'http:' && proxy.protocol !== 'https:') {
    throw new AgentError('config-invalid', `the proxy must be an http(s) URL, not ${proxy.protocol}`);
  }
  return proxy;
}

function httpProxyOf(env: Env): string | undefined {
  return nonEmpty(env['http_proxy']) ?? nonEmpty(env['HTTP_PROXY']);
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value.trim();
}

const DEFAULT_PORTS: Readonly<Record<string, number>> = { 'http:': 80, 'https:': 443 };

/**
 * NO_PROXY as curl and undici read it: entries separated by commas or spaces; `*` alone matches everything;
 * `host`, `.domain` or `*.domain` match the host or its subdomains (`domain` matches them too); an entry may
 * end in `:port`. IP ranges (CIDR) are not supported, as in undici.
 */
export function bypassesProxy(target: URL, noProxy: string): boolean {
  const host = target.hostname.replace(/^\[|\]$/g, '').toLowerCase();
  const port = Number(target.port) || DEFAULT_PORTS[target.protocol] || 0;
  for (const rawEntry of noProxy.split(/[,\s]+/)) {
    const entry = rawEntry.trim().toLowerCase();
    if (entry === '') continue;
    if (entry === '*') return true;
    const [rawHost, rawPort] = splitHostPort(entry);
    const entryHost = rawHost.replace(/^\*?\./, '');
    const entryPort = rawPort === undefined ? undefined : Number(rawPort);
    if (entryPort !== undefined && entryPort !== port) continue;
    if (host === entryHost || host.endsWith(`.${entryHost}`)) return true;
  }
  return false;
}

/** `host:port`, `[::1]:8080`, `::1` (an IPv6 address without brackets has no port). */
function splitHostPort(entry: string): [string, string | undefined] {
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(entry);
  if (bracketed !== null) return [bracketed[1] ?? '', bracketed[2]];
  const parts = entry.split(':');
  if (parts.length === 2 && /^\d+$/.test(parts[1] ?? '')) return [parts[0] ?? '', parts[1]];
  return [entry, undefined];
}
