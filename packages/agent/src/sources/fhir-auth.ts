import { Agent } from 'undici';
import { OAuth2TokenCache } from './oauth2-token-cache.js';
import type { OAuth2ClientCredentials } from './oauth2-token-cache.js';

/**
 * How the agent authenticates to the DUI's FHIR server. Secret values are given here; the config layer reads them
 * from the environment or files (never from arguments).
 */
export type FhirServerAuth =
  | { type: 'none' }
  | { type: 'bearer'; token: string }
  | ({ type: 'oauth2-client-credentials' } & OAuth2ClientCredentials)
  | {
      type: 'tls-client-certificate';
      /** PEM certificate chain and private key (IGC Santé style client certificate). */
      cert: string | Buffer;
      key: string | Buffer;
      /** PEM CA certificates to trust for the server, when it is not signed by a public CA. */
      ca?: string | Buffer | undefined;
      passphrase?: string | undefined;
    };

/** What one `records()` run needs to authenticate its requests. */
export interface AuthSession {
  /** Headers fixed for the whole run, given to fhir-kit-client's `customHeaders`. */
  readonly customHeaders: Record<string, string>;
  /** Extra `RequestInit` fields, given to fhir-kit-client's `requestOptions` (the TLS dispatcher). */
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

/**
 * Builds the session for one run.
 *
 * TLS client certificates: fhir-kit-client calls the global `fetch`, which takes the TLS options only through an
 * undici `dispatcher`. Node 20's `Request` keeps a `dispatcher` given in its init, and fhir-kit-client spreads its
 * `requestOptions` into that init, so an undici `Agent` with `connect: { cert, key, ca, passphrase }` passed as
 * `requestOptions.dispatcher` reaches the socket without forking the client or issuing requests ourselves.
 * (undici is a dependency for its `Agent` class only.)
 */
export function openAuthSession(auth: FhirServerAuth): AuthSession {
  switch (auth.type) {
    case 'none':
      return staticSession({}, {});
    case 'bearer':
      return staticSession({ authorization: `Bearer ${auth.token}` }, {});
    case 'tls-client-certificate': {
      const dispatcher = new Agent({
        connect: {
          cert: auth.cert,
          key: auth.key,
          ...(auth.ca === undefined ? {} : { ca: auth.ca }),
          ...(auth.passphrase === undefined ? {} : { passphrase: auth.passphrase }),
        },
      });
      return { ...staticSession({}, { dispatcher }), close: () => dispatcher.close() };
    }
    case 'oauth2-client-credentials':
      return oauth2Session(new OAuth2TokenCache(auth));
  }
}

function staticSession(
  customHeaders: Record<string, string>,
  requestOptions: Record<string, unknown>,
): AuthSession {
  return {
    customHeaders,
    requestOptions,
    requestHeaders: () => Promise.resolve({ headers: {}, token: undefined }),
    renewAfterUnauthorized: () => false,
    close: () => Promise.resolve(),
  };
}

function oauth2Session(tokens: OAuth2TokenCache): AuthSession {
  return {
    customHeaders: {},
    requestOptions: {},
    async requestHeaders(signal) {
      const token = await tokens.token(signal);
      return { headers: { authorization: `Bearer ${token}` }, token };
    },
    renewAfterUnauthorized(token) {
      tokens.invalidate(token);
      return true;
    },
    close: () => Promise.resolve(),
  };
}
