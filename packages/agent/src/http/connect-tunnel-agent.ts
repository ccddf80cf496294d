import { request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest, type AgentOptions } from 'node:https';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { connect as tlsConnect, type ConnectionOptions } from 'node:tls';

/** The error a refused CONNECT gives (`describeNetworkFailure` names it). */
export const PROXY_REFUSED_CODE = 'ESM_PROXY_REFUSED';

/**
 * An https agent that reaches its targets through an HTTP proxy's CONNECT tunnel, then speaks TLS to the
 * target inside it: what axios needs for an https ARS behind a proxy. (axios's own `proxy` option sends the
 * https request to the proxy in the clear, in absolute form, which a proxy either refuses or can read.)
 * Proxy credentials in the URL become `Proxy-Authorization: Basic`.
 */
export class ConnectTunnelAgent extends HttpsAgent {
  readonly #proxy: URL;

  constructor(proxy: URL, options: AgentOptions = {}) {
    super({ keepAlive: false, ...options });
    this.#proxy = proxy;
  }

  /** Node's agent calls this with a callback and waits for it when nothing is returned. */
  override createConnection(
    options: ConnectionOptions & { host?: string | null; port?: number | string | null },
    callback: (error: Error | null, socket?: Duplex) => void,
  ): undefined {
    const host = options.host ?? 'localhost';
    const authority = `${host.includes(':') ? `[${host}]` : host}:${Number(options.port ?? 443)}`;
    const headers: Record<string, string> = { host: authority };
    if (this.#proxy.username !== '') {
      const pair = `${decodeURIComponent(this.#proxy.username)}:${decodeURIComponent(this.#proxy.password)}`;
      headers['proxy-authorization'] = `Basic ${Buffer.from(pair, 'utf8').toString('base64')}`;
    }
    const connect = (this.#proxy.protocol === 'https:' ? httpsRequest : httpRequest)({
      host: this.#proxy.hostname.replace(/^\[|\]$/g, ''),
      port: Number(this.#proxy.port) || (this.#proxy.protocol === 'https:' ? 443 : 80),
      method: 'CONNECT',
      path: authority,
      headers,
      agent: false,
    });
    let settled = false;
    const settle = (error: Error | null, socket?: Duplex): void => {
      if (settled) return;
      settled = true;
      callback(error, socket);
    };
    connect.once('connect', (response: IncomingMessage, socket: Socket) => {
      if (response.statusCode !== 200) {
        socket.destroy();
        settle(
          Object.assign(new Error(`the proxy answered ${response.statusCode} to CONNECT`), {
            code: PROXY_REFUSED_CODE,
            status: response.statusCode,
          }),
        );
        return;
      }
      // Only TLS fields: the request's own options (path, headers…) mean nothing to tls.connect.
      const secure = tlsConnect({
        socket,
        // The name the certificate is checked against (an IP address gets no SNI, as Node's own agent does).
        host,
        ...(options.servername === undefined || options.servername === ''
          ? {}
          : { servername: options.servername }),
        ...(options.ca === undefined ? {} : { ca: options.ca }),
        ...(options.cert === undefined ? {} : { cert: options.cert }),
        ...(options.key === undefined ? {} : { key: options.key }),
        ...(options.passphrase === undefined ? {} : { passphrase: options.passphrase }),
        ...(options.rejectUnauthorized === undefined
          ? {}
          : { rejectUnauthorized: options.rejectUnauthorized }),
      });
      settle(null, secure);
    });
    connect.once('error', (error) => settle(error));
    connect.end();
    return undefined;
  }
}
