import { describeNetworkFailure, type NetworkFailure } from './network-failure.js';
import { redactUrl } from './redact-url.js';
import { parseRetryAfterMs } from './retry-after.js';
import { isTransientStatus } from './transient-status.js';

/** A token is renewed this long before the expiry the server announced, so no request carries a stale one. */
export const OAUTH2_TOKEN_EXPIRY_MARGIN_MS = 30_000;
/** Lifetime assumed when the token response has no `expires_in`. */
export const OAUTH2_DEFAULT_TOKEN_LIFETIME_MS = 5 * 60_000;
/** Longest `error_description` quoted from a token endpoint. */
const MAX_DESCRIPTION_CHARS = 200;

/** OAuth2 client-credentials grant (RFC 6749 §4.4). The secret is a value: the config layer reads it. */
export interface OAuth2ClientCredentials {
  tokenUrl: string;
  clientId: string;
  clientSecret: string;
  scope?: string | undefined;
  /** How the client authenticates to the token endpoint: HTTP Basic (default, §2.3.1) or form fields. */
  clientAuthentication?: 'basic' | 'body' | undefined;
}

/** The token endpoint's answer, as the component's HTTP library gave it. */
export interface TokenEndpointAnswer {
  status: number;
  body: string;
  retryAfter: string | null;
}

/**
 * POSTs the form with the component's own HTTP library (fetch for the FHIR source, axios for the ARS), so
 * that the token request goes through the same TLS and proxy settings as the component's other requests.
 * Rejects when no answer arrived.
 */
export type TokenEndpointPost = (
  url: string,
  form: string,
  headers: Record<string, string>,
  signal: AbortSignal | undefined,
) => Promise<TokenEndpointAnswer>;

/**
 * A token request that failed. `transient` ones (no answer, 408/425/429/5xx, an answer that is not a token)
 * may succeed later; the others (401, 400 `invalid_client`…) need a configuration change. Each component
 * turns it into its own typed error; the message never holds the secret or a token.
 */
export class OAuth2TokenError extends Error {
  override readonly name = 'OAuth2TokenError';
  readonly transient: boolean;
  readonly status: number | undefined;
  readonly retryAfterMs: number | undefined;
  readonly network: NetworkFailure | undefined;
  /** The token endpoint, redacted. */
  readonly url: string;

  constructor(
    message: string,
    details: {
      transient: boolean;
      url: string;
      status?: number | undefined;
      retryAfterMs?: number | undefined;
      network?: NetworkFailure | undefined;
    },
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.transient = details.transient;
    this.url = details.url;
    this.status = details.status;
    this.retryAfterMs = details.retryAfterMs;
    this.network = details.network;
  }
}

/**
 * OAuth2 client-credentials tokens for one component (the grant of SMART Backend Services). One token is
 * shared by every request and renewed shortly before it expires; concurrent callers wait for the same token
 * request. After a 401 the caller `invalidate`s the token it used and asks again.
 */
export class OAuth2TokenCache {
  readonly #credentials: OAuth2ClientCredentials;
  readonly #post: TokenEndpointPost;
  readonly #nowMs: () => number;
  #current: { token: string; renewAtMs: number } | undefined;
  #pending: Promise<string> | undefined;

  constructor(
    credentials: OAuth2ClientCredentials,
    options: { post: TokenEndpointPost; nowMs?: (() => number) | undefined },
  ) {
    this.#credentials = credentials;
    this.#post = options.post;
    this.#nowMs = options.nowMs ?? Date.now;
  }

  /** The cached token, or a new one. Throws `OAuth2TokenError`. */
  async token(signal?: AbortSignal): Promise<string> {
    if (this.#current !== undefined && this.#nowMs() < this.#current.renewAtMs) return this.#current.token;
    this.#pending ??= this.#request(signal).finally(() => {
      this.#pending = undefined;
    });
    return this.#pending;
  }

  /** Forgets `token` (the server refused it) unless a newer one already replaced it; all when undefined. */
  invalidate(token?: string): void {
    if (token === undefined || this.#current?.token === token) this.#current = undefined;
  }

  async #request(signal: AbortSignal | undefined): Promise<string> {
    const { tokenUrl, clientId, clientSecret, scope, clientAuthentication } = this.#credentials;
    const url = redactUrl(tokenUrl);
    const form = new URLSearchParams({ grant_type: 'client_credentials' });
    if (scope !== undefined) form.set('scope', scope);
    const headers: Record<string, string> = {
      'content-type': 'application/x-www-form-urlencoded',
      accept: 'application/json',
    };
    if (clientAuthentication === 'body') {
      form.set('client_id', clientId);
      form.set('client_secret', clientSecret);
    } else {
      // RFC 6749 §2.3.1: form-urlencode the id and the secret before joining them for Basic auth.
      const pair = `${formEncode(clientId)}:${formEncode(clientSecret)}`;
      headers['authorization'] = `Basic ${Buffer.from(pair, 'utf8').toString('base64')}`;
    }
    const requestedAtMs = this.#nowMs();
    let answer: TokenEndpointAnswer;
    try {
      answer = await this.#post(tokenUrl, form.toString(), headers, signal);
    } catch (error) {
      if (signal?.aborted === true) throw error;
      const network = describeNetworkFailure(error);
      throw new OAuth2TokenError(
        `token endpoint ${url} unreachable: ${network.description}`,
        { transient: true, url, network },
        { cause: error },
      );
    }
    const json = parseJsonObject(answer.body);
    if (answer.status < 200 || answer.status > 299) {
      throw new OAuth2TokenError(
        `token endpoint ${url} answered HTTP ${answer.status}${oauthErrorOf(json)}`,
        {
          transient: isTransientStatus(answer.status),
          url,
          status: answer.status,
          retryAfterMs: parseRetryAfterMs(answer.retryAfter, this.#nowMs()),
        },
      );
    }
    const token = json?.['access_token'];
    if (typeof token !== 'string' || token === '') {
      // A maintenance page or a proxy's login page answered 200: may be over later.
      throw new OAuth2TokenError(`token endpoint ${url} answered without an access_token`, {
        transient: true,
        url,
        status: answer.status,
      });
    }
    const expiresIn = json?.['expires_in'];
    const lifetimeSeconds = typeof expiresIn === 'string' ? Number(expiresIn) : expiresIn;
    const lifetimeMs =
      typeof lifetimeSeconds === 'number' && Number.isFinite(lifetimeSeconds) && lifetimeSeconds > 0
        ? lifetimeSeconds * 1000
        : OAUTH2_DEFAULT_TOKEN_LIFETIME_MS;
    // Counted from the request: the token may have been issued at any instant of the exchange.
    this.#current = {
      token,
      renewAtMs: requestedAtMs + Math.max(0, lifetimeMs - OAUTH2_TOKEN_EXPIRY_MARGIN_MS),
    };
    return token;
  }
}

function formEncode(value: string): string {
  return encodeURIComponent(value).replace(/%20/g, '+');
}

function parseJsonObject(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * `: invalid_client: unknown client` from an RFC 6749 §5.2 answer: the `error` code (a closed vocabulary) and
 * its description, printable characters only and truncated.
 */
function oauthErrorOf(json: Record<string, unknown> | undefined): string {
  const code = json?.['error'];
  if (typeof code !== 'string' || !/^[\x20-\x7e]{1,64}$/.test(code)) return '';
  const description = json?.['error_description'];
  if (typeof description !== 'string') return `: ${code}`;
  const printable = description.replace(/[^\x20-\x7e\u00a0-\u017f]/g, ' ').trim();
  const shown =
    printable.length > MAX_DESCRIPTION_CHARS
      ? `${printable.slice(0, MAX_DESCRIPTION_CHARS - 1)}…`
      : printable;
  return shown === '' ? `: ${code}` : `: ${code}: ${shown}`;
}
