import type { OAuth2ClientCredentials } from './oauth2-client-credentials.js';
import type { Pem } from './tls-options.js';

/**
 * How the agent authenticates to a server: the DUI's FHIR server (a source) or the ARS (contract.md §4), the
 * same four ways as the config's `auth` blocks. Secret values are given here; the config layer reads them from
 * the environment or files (never from arguments).
 */
export type HttpAuth =
  | { type: 'none' }
  | { type: 'bearer'; token: string }
  | ({ type: 'oauth2-client-credentials' } & OAuth2ClientCredentials)
  | {
      type: 'tls-client-certificate';
      /** PEM certificate chain and private key (IGC Santé style client certificate). */
      cert: Pem;
      key: Pem;
      /** PEM CA certificates to trust for the server, when it is not signed by a public CA. */
      ca?: Pem | undefined;
      passphrase?: string | undefined;
    };
