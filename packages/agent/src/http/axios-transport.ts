import { Agent as HttpsAgent } from 'node:https';
import type { AxiosProxyConfig } from 'axios';
import { ConnectTunnelAgent } from './connect-tunnel-agent.js';
import type { ConnectionOptions } from './fetch-dispatcher.js';
import { resolveProxy } from './proxy.js';
import { tlsConnectOptions } from './tls-options.js';

/** The per-request axios settings that carry TLS and the proxy. */
export interface AxiosTransport {
  httpsAgent?: HttpsAgent;
  /** Always set: axios never reads the proxy variables itself, so that every component decides alike. */
  proxy: AxiosProxyConfig | false;
}

/**
 * How axios reaches `target`: https through the proxy's CONNECT tunnel (`ConnectTunnelAgent`), plain http to
 * the proxy in absolute form, or directly; with the TLS options either way.
 *
 * @throws AgentError `config-invalid` when the proxy is not an http(s) URL.
 */
export function createAxiosTransport(target: URL, options: ConnectionOptions = {}): AxiosTransport {
  const tls = tlsConnectOptions(options.tls);
  const hasTls = Object.keys(tls).length > 0;
  const proxy = resolveProxy(target, options.proxy);
  if (target.protocol === 'https:') {
    if (proxy !== undefined) return { httpsAgent: new ConnectTunnelAgent(proxy, tls), proxy: false };
    return hasTls
      ? { httpsAgent: new HttpsAgent({ keepAlive: false, ...tls }), proxy: false }
      : { proxy: false };
  }
  if (proxy === undefined) return { proxy: false };
  const config: AxiosProxyConfig = {
    protocol: proxy.protocol.replace(/:$/, ''),
    host: proxy.hostname,
    port: Number(proxy.port) || (proxy.protocol === 'https:' ? 443 : 80),
  };
  if (proxy.username !== '') {
    config.auth = {
      username: decodeURIComponent(proxy.username),
      password: decodeURIComponent(proxy.password),
    };
  }
  return { proxy: config };
}
