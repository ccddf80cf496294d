import { PROXY_REFUSED_CODE } from './connect-tunnel-agent.js';

/** What kind of failure kept a request from getting an HTTP answer. */
export type NetworkFailureKind =
  'dns' | 'refused' | 'tls' | 'proxy' | 'reset' | 'timeout' | 'unreachable' | 'other';

/** A network failure as an IT team reads it: the kind, the system code, and one line saying what it means. */
export interface NetworkFailure {
  kind: NetworkFailureKind;
  /** `ECONNREFUSED`, `ENOTFOUND`, `CERT_HAS_EXPIRED`, `UND_ERR_SOCKET`…; undefined when none was given. */
  code: string | undefined;
  /** `connection refused (ECONNREFUSED)`, `TLS failure: the server's certificate is not trusted (…)`. */
  description: string;
}

/** DNS answers that mean "no such name" or "the resolver did not answer". */
const DNS_CODES = new Set(['ENOTFOUND', 'EAI_AGAIN', 'EAI_FAIL', 'EAI_NONAME', 'EAI_NODATA']);
const UNREACHABLE_CODES = new Set(['EHOSTUNREACH', 'ENETUNREACH', 'EHOSTDOWN', 'ENETDOWN', 'EADDRNOTAVAIL']);
const RESET_CODES = new Set(['ECONNRESET', 'EPIPE', 'UND_ERR_SOCKET', 'UND_ERR_CLOSED']);
const TIMEOUT_CODES = new Set([
  'ETIMEDOUT',
  'ESOCKETTIMEDOUT',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
]);
/** OpenSSL's verification codes (tls.TLSSocket.authorizationError) and Node's TLS error codes. */
const TLS_TRUST_CODES = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'CERT_UNTRUSTED',
  'CERT_SIGNATURE_FAILURE',
  'CERT_REJECTED',
]);
const TLS_DATE_CODES = new Set(['CERT_HAS_EXPIRED', 'CERT_NOT_YET_VALID']);

/**
 * Names the cause of a failed request from the error chain fetch, undici, axios or Node give (fetch's
 * `TypeError: fetch failed` only holds it in `cause`, Happy Eyeballs in an `AggregateError`'s `errors`).
 * Only codes and fixed texts come out: never a message, which may hold a URL with query values.
 */
export function describeNetworkFailure(error: unknown): NetworkFailure {
  const code = networkCodeOf(error);
  const kind = kindOf(code);
  return { kind, code, description: describe(kind, code) };
}

/**
 * A TLS failure that no retry can fix: the server's certificate is not trusted, out of its dates, or for
 * another host name. That is configuration (a CA to set, an endpoint to correct) or an ARS to call.
 */
export function isTlsConfigurationFailure(failure: NetworkFailure): boolean {
  const { kind, code } = failure;
  if (kind !== 'tls' || code === undefined) return false;
  return (
    TLS_TRUST_CODES.has(code) ||
    TLS_DATE_CODES.has(code) ||
    code === 'ERR_TLS_CERT_ALTNAME_INVALID' ||
    code === 'HOSTNAME_MISMATCH'
  );
}

function kindOf(code: string | undefined): NetworkFailureKind {
  if (code === undefined) return 'other';
  if (DNS_CODES.has(code)) return 'dns';
  if (code === 'ECONNREFUSED') return 'refused';
  if (UNREACHABLE_CODES.has(code)) return 'unreachable';
  if (TIMEOUT_CODES.has(code)) return 'timeout';
  if (code === PROXY_REFUSED_CODE || code === 'UND_ERR_ABORTED_PROXY') return 'proxy';
  if (RESET_CODES.has(code)) return 'reset';
  if (TLS_TRUST_CODES.has(code) || TLS_DATE_CODES.has(code) || isTlsCode(code)) return 'tls';
  return 'other';
}

function isTlsCode(code: string): boolean {
  return (
    code.startsWith('ERR_TLS_') ||
    code.startsWith('ERR_SSL_') ||
    code.startsWith('CERT_') ||
    code === 'EPROTO' ||
    code === 'HOSTNAME_MISMATCH'
  );
}

function describe(kind: NetworkFailureKind, code: string | undefined): string {
  const suffix = code === undefined ? '' : ` (${code})`;
  switch (kind) {
    case 'dns':
      return `DNS failure: the host name does not resolve${suffix}`;
    case 'refused':
      return `connection refused: nothing listens at that address and port${suffix}`;
    case 'unreachable':
      return `network unreachable${suffix}`;
    case 'timeout':
      return `no answer in time${suffix}`;
    case 'proxy':
      return `the proxy refused the tunnel${suffix}`;
    case 'reset':
      return `connection closed by the other side (during TLS, often a client certificate it refused)${suffix}`;
    case 'tls':
      if (code !== undefined && TLS_TRUST_CODES.has(code))
        return `TLS failure: the server's certificate is not trusted (set the CA)${suffix}`;
      if (code !== undefined && TLS_DATE_CODES.has(code))
        return `TLS failure: the server's certificate is outside its validity dates${suffix}`;
      if (code === 'ERR_TLS_CERT_ALTNAME_INVALID' || code === 'HOSTNAME_MISMATCH')
        return `TLS failure: the server's certificate is for another host name${suffix}`;
      return `TLS failure${suffix}`;
    case 'other':
      return `network error${suffix}`;
  }
}

/**
 * The most specific code in the chain: the innermost `cause` (or first `AggregateError` member) that has
 * one. Depth-bounded, as a cause chain may loop.
 */
function networkCodeOf(error: unknown): string | undefined {
  let found: string | undefined;
  let current: unknown = error;
  for (let depth = 0; depth < 8 && typeof current === 'object' && current !== null; depth += 1) {
    const { code, cause, errors } = current as { code?: unknown; cause?: unknown; errors?: unknown };
    if (typeof code === 'string' && /^[A-Z][A-Z0-9_]{1,63}$/.test(code)) found = code;
    current = cause ?? (Array.isArray(errors) ? (errors as unknown[])[0] : undefined);
  }
  return found;
}
