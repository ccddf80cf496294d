/** PEM text or bytes. */
export type Pem = string | Buffer;

/**
 * TLS settings of one component, the same for its fetch (undici) and axios (node:https) requests: extra trust
 * anchors for a private or IGC Santé CA, and a client certificate (IGC Santé style) with its key.
 */
export interface TlsOptions {
  ca?: Pem | Pem[] | undefined;
  cert?: Pem | undefined;
  key?: Pem | undefined;
  passphrase?: string | undefined;
}

/** The fields that are set, for `tls.connect`, `https.Agent` and undici's `connect` alike. */
export function tlsConnectOptions(tls: TlsOptions | undefined): {
  ca?: Pem | Pem[];
  cert?: Pem;
  key?: Pem;
  passphrase?: string;
} {
  if (tls === undefined) return {};
  return {
    ...(tls.ca === undefined ? {} : { ca: tls.ca }),
    ...(tls.cert === undefined ? {} : { cert: tls.cert }),
    ...(tls.key === undefined ? {} : { key: tls.key }),
    ...(tls.passphrase === undefined ? {} : { passphrase: tls.passphrase }),
  };
}
