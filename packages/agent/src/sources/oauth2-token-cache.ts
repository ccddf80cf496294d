import { redactUrl } from './redact-url.js';
import { SourceAuthError } from './source-auth-error.js';
import { RETRYABLE_HTTP_STATUSES } from './fhir-retry.js';

/** A token is renewed this long before the expiry the server announced, so no request carries a stale one. */
export const OAUTH2_TOKEN_EXPIRY_MARGIN_MS = 30_000;
/** Lifetime assumed when the token response has no `expires_in`. */
export const OAUTH2_DEFAULT_TOKEN_LIFETIME_MS = 5 * 60_000;

export interface OAuth2ClientCredentials {
  tokenUrl: string;
  clientId: string;
  clientSecret: string;
  scope?: string | undefined;
}

/** A token request that may succeed later (5xx, 429, network): the page retry loop retries it. */
export class OAuth2TransientError extends Error {
  override readonly name = 'OAuth2TransientError';
  readonly status: number | undefined;
  readonly retryAfter: string | null;
  constructor(
    message: string,
    status: number | undefined,
    retryAfter: string | null,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.status = status;
    this.retryAfter = retryAfter;
  }
}

/**
 * OAuth2 client-credentials tokens (the grant of SMART Backend Services, here with a client secret sent as HTTP
 * Basic auth, RFC 6749 §2.3.1). One token is shared by every request and renewed shortly before it expires;
 * concurrent callers wait for the same token request. After a 401 the caller `invalidate`s it and asks again.
 */
export class OAuth2TokenCache {
  readonly #credentials: OAuth2ClientCredentials;
  readonly #now: () => number;
  #current: { token: string; renewAtMs: number } | undefined;
  #pending: Promise<string> | undefined;

  constructor(credentials: OAuth2ClientCredentials, now: () => number = Date.now) {
    this.#credentials = credentials;
    this.#now = now;
  }

  /** The cached token, or a new one. Throws SourceAuthError when refused, OAuth2TransientError when worth retrying. */
  async token(signal: AbortSignal | undefined): Promise<string> {
    if (this.#current !== undefined && this.#now() < this.#current.renewAtMs) return this.#current.token;
    this.#pending ??= this.#request(signal).finally(() => {
      this.#pending = undefined;
    });
    return this.#pending;
  }

  /** Forgets `token` (the server refused it) unless a newer one already replaced it. */
  invalidate(token: string | undefined): void {
    if (token === undefined || this.#current?.token === token) this.#current = undefined;
  }

  async #request(signal: AbortSignal | undefined): Promise<string> {
    const { tokenUrl, clientId, clientSecret, scope } = this.#credentials;
    const shownUrl = redactUrl(tokenUrl);
    const body = new URLSearchParams({ grant_type: 'client_credentials' });
    if (scope !== undefined) body.set('scope', scope);
    // RFC 6749 §2.3.1: form-urlencode the id and the secret before joining them for Basic auth.
    const basic = Buffer.from(`${formEncode(clientId)}:${formEncode(clientSecret)}`).toString('base64');
    let response: Response;
    try {
      response = await fetch(tokenUrl, {
        method: 'POST',
        headers: {
          authorization: `Basic ${basic}`,
          'content-type': 'application/x-www-form-urlencoded',
          accept: 'application/json',
        },
        body,
        ...(signal === undefined ? {} : { signal }),
      });
    } catch (error) {
      throw new OAuth2TransientError(`token endpoint ${shownUrl} unreachable`, undefined, null, {
        cause: error,
      });
    }
    const text = await response.text().catch(() => '');
    const json = parseJsonObject(text);
    if (!response.ok) {
      const message = `token endpoint ${shownUrl} answered HTTP ${response.status}${oauthErrorOf(json)}`;
      if (RETRYABLE_HTTP_STATUSES.has(response.status)) {
        throw new OAuth2TransientError(message, response.status, response.headers.get('retry-after'));
      }
      throw new SourceAuthError(message, response.status, shownUrl);
    }
    const token = json?.['access_token'];
    if (typeof token !== 'string' || token === '') {
      throw new SourceAuthError(
        `token endpoint ${shownUrl} answered without an access_token`,
        response.status,
        shownUrl,
      );
    }
    const expiresInSeconds = json?.['expires_in'];
    const lifetimeMs =
      typeof expiresInSeconds === 'number' && expiresInSeconds > 0
        ? expiresInSeconds * 1000
        : OAUTH2_DEFAULT_TOKEN_LIFETIME_MS;
    this.#current = {
      token,
      renewAtMs: this.#now() + Math.max(0, lifetimeMs - OAUTH2_TOKEN_EXPIRY_MARGIN_MS),
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

/** RFC 6749 §5.2 `error` code (`invalid_client`, …): a closed vocabulary, safe to show; the description is not. */
function oauthErrorOf(json: Record<string, unknown> | undefined): string {
  const code = json?.['error'];
  return typeof code === 'string' && /^[\x20-\x7e]{1,64}$/.test(code) ? ` (${code})` : '';
}
