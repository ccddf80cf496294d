import { Agent, ProxyAgent, type Dispatcher } from 'undici';
import { resolveProxy, type ProxySetting } from './proxy.js';
import { tlsConnectOptions, type TlsOptions } from './tls-options.js';

export interface ConnectionOptions {
  tls?: TlsOptions | undefined;
  proxy?: ProxySetting;
}

/**
 * The undici dispatcher for `fetch` requests to `target`'s origin (fhir-kit-client and the OAuth2 token
 * request call the global fetch, which takes TLS and proxy settings only through a `dispatcher`): a direct
 * `Agent` with the TLS options, or a `ProxyAgent` that tunnels https through the proxy with CONNECT and sends
 * plain http to it in absolute form, as curl does. The caller closes it.
 *
 * @throws AgentError `config-invalid` when the proxy is not an http(s) URL.
 */
export function createFetchDispatcher(target: URL, options: ConnectionOptions = {}): Dispatcher {
  const tls = tlsConnectOptions(options.tls);
  const proxy = resolveProxy(target, options.proxy);
  if (proxy === undefined) return new Agent({ connect: tls });
  return new ProxyAgent({
    uri: proxy.href,
    requestTls: tls,
    proxyTunnel: target.protocol === 'https:',
  });
}
