import type { Dispatcher } from 'undici';
import type { HttpAuth } from '../http/http-auth.js';
import { createFetchDispatcher } from '../http/fetch-dispatcher.js';
import { logHttpExchange, type HttpLogger } from '../http/http-logger.js';
import { OAuth2TokenCache, type TokenEndpointPost } from '../http/oauth2-client-credentials.js';
import type { ProxySetting } from '../http/proxy.js';
import type { TlsOptions } from '../http/tls-options.js';

/** What one `records()` run needs to authenticate and route its requests. */
export interface AuthSession {
  /** Headers fixed for the whole run, given to fhir-kit-client's `customHeaders`. */
  readonly customHeaders: Record<string, string>;
  /** Extra `RequestInit` fields, given to fhir-kit-client's `requestOptions` (the dispatcher: TLS and proxy). */
  readonly requestOptions: Record<string, unknown>;
  /** Headers for one request (a fresh OAuth2 token), and the token they carry. */
  requestHeaders(
    signal: AbortSignal | undefined,
  ): Promise<{ headers: Record<string, string>; token: string | undefined }>;
  /** After a 401: forgets `token` and says whether asking again may help (only a renewable token can). */
  renewAfterUnauthorized(token: string | undefined): boolean;
  /** Releases connections. */
  close(): Promise<void>;
}

export interface SessionOptions {
  /** The server's base URL: its origin decides the proxy (NO_PROXY). */
  baseUrl: string;
  proxy?: ProxySetting;
  logger?: HttpLogger | undefined;
}

/**
 * Builds the session for one run.
 *
 * fhir-kit-client calls the global `fetch`, which takes TLS and proxy settings only through an undici
 * `dispatcher`. Node 20's `Request` keeps a `dispatcher` given in its init, and fhir-kit-client spreads its
 * `requestOptions` into that init, so the dispatcher of `createFetchDispatcher` (client certificate, CA, proxy
 * tunnel) reaches the socket without forking the client or issuing requests ourselves.
 */
export function openAuthSession(auth: HttpAuth, options: SessionOptions): AuthSession {
  const tls: TlsOptions | undefined =
    auth.type === 'tls-client-certificate'
      ? { cert: auth.cert, key: auth.key, ca: auth.ca, passphrase: auth.passphrase }
      : undefined;
  const dispatcher = createFetchDispatcher(new URL(options.baseUrl), { tls, proxy: options.proxy });
  const close = (): Promise<void> => dispatcher.close();
  switch (auth.type) {
    case 'none':
    case 'tls-client-certificate':
      return staticSession({}, dispatcher, close);
    case 'bearer':
      return staticSession({ authorization: `Bearer ${auth.token}` }, dispatcher, close);
    case 'oauth2-client-credentials': {
      const tokenDispatcher = createFetchDispatcher(new URL(auth.tokenUrl), { proxy: options.proxy });
      const tokens = new OAuth2TokenCache(auth, { post: fetchPost(tokenDispatcher, options.logger) });
      return {
        customHeaders: {},
        requestOptions: { dispatcher },
        async requestHeaders(signal) {
          const token = await tokens.token(signal);
          return { headers: { authorization: `Bearer ${token}` }, token };
        },
        renewAfterUnauthorized(token) {
          tokens.invalidate(token);
          return true;
        },
        close: async () => {
          await Promise.all([dispatcher.close(), tokenDispatcher.close()]);
        },
      };
    }
  }
}

function staticSession(
  customHeaders: Record<string, string>,
  dispatcher: Dispatcher,
  close: () => Promise<void>,
): AuthSession {
  return {
    customHeaders,
    requestOptions: { dispatcher },
    requestHeaders: () => Promise.resolve({ headers: {}, token: undefined }),
    renewAfterUnauthorized: () => false,
    close,
  };
}

/** The token request through fetch, on the token endpoint's own dispatcher (its proxy may differ). */
function fetchPost(dispatcher: Dispatcher, logger: HttpLogger | undefined): TokenEndpointPost {
  return async (url, form, headers, signal) => {
    const startedMs = performance.now();
    try {
      const response = await fetch(url, {
        method: 'POST',
        headers,
        body: form,
        ...(signal === undefined ? {} : { signal }),
        // Node's fetch takes an undici dispatcher; the DOM RequestInit type does not list it.
        ...({ dispatcher } as object),
      });
      const body = await response.text().catch(() => '');
      logHttpExchange(logger, {
        method: 'POST',
        url,
        status: response.status,
        durationMs: performance.now() - startedMs,
      });
      return { status: response.status, body, retryAfter: response.headers.get('retry-after') };
    } catch (error) {
      logHttpExchange(logger, {
        method: 'POST',
        url,
        durationMs: performance.now() - startedMs,
        failure: 'no answer',
      });
      throw error;
    }
  };
}
