import type { AxiosInstance } from 'axios';
import { combineSignals, requestOrThrow } from './http-request.js';
import { isTransientStatus, responseReason } from './response-classification.js';
import { SubmissionPermanentError, SubmissionTransientError } from './submission-errors.js';

/** Renew a token this long before it expires, so it does not lapse in flight. */
export const TOKEN_EXPIRY_MARGIN_MS = 30_000;

/** OAuth2 client-credentials grant (RFC 6749 §4.4). The secret is a value: the config layer reads it. */
export interface OAuth2ClientCredentials {
  tokenUrl: string;
  clientId: string;
  clientSecret: string;
  scope?: string | undefined;
  /** How the client authenticates to the token endpoint: HTTP Basic (default) or form fields. */
  clientAuthentication?: 'basic' | 'body' | undefined;
}

interface CachedToken {
  value: string;
  /** Epoch ms after which the token is renewed; `undefined` when the server gave no lifetime. */
  renewAtMs: number | undefined;
}

/** Fetches and caches access tokens; never logs or exposes the secret. */
export class OAuth2TokenSource {
  readonly #credentials: OAuth2ClientCredentials;
  readonly #http: AxiosInstance;
  readonly #now: () => Date;
  readonly #timeoutMs: number;
  #cached: CachedToken | undefined;

  constructor(
    credentials: OAuth2ClientCredentials,
    options: { http: AxiosInstance; now: () => Date; timeoutMs: number },
  ) {
    this.#credentials = credentials;
    this.#http = options.http;
    this.#now = options.now;
    this.#timeoutMs = options.timeoutMs;
  }

  /** Forgets the cached token (after a 401). */
  invalidate(): void {
    this.#cached = undefined;
  }

  /** A valid access token: the cached one unless it is about to expire or `fresh` is asked. */
  async token(fresh: boolean, signal?: AbortSignal): Promise<string> {
    const cached = this.#cached;
    if (
      !fresh &&
      cached !== undefined &&
      (cached.renewAtMs === undefined || this.#now().getTime() < cached.renewAtMs)
    ) {
      return cached.value;
    }
    this.#cached = await this.#fetch(signal);
    return this.#cached.value;
  }

  async #fetch(signal?: AbortSignal): Promise<CachedToken> {
    const { tokenUrl, clientId, clientSecret, scope } = this.#credentials;
    const form = new URLSearchParams({ grant_type: 'client_credentials' });
    if (scope !== undefined) form.set('scope', scope);
    const headers: Record<string, string> = {
      'Content-Type': 'application/x-www-form-urlencoded',
      Accept: 'application/json',
    };
    if (this.#credentials.clientAuthentication === 'body') {
      form.set('client_id', clientId);
      form.set('client_secret', clientSecret);
    } else {
      // RFC 6749 §2.3.1: both parts form-urlencoded before Base64.
      const pair = `${encodeURIComponent(clientId)}:${encodeURIComponent(clientSecret)}`;
      headers['Authorization'] = `Basic ${Buffer.from(pair, 'utf8').toString('base64')}`;
    }
    const requestedAt = this.#now().getTime();
    const response = await requestOrThrow(
      () =>
        this.#http.post<string>(tokenUrl, form.toString(), {
          headers,
          signal: combineSignals(signal, this.#timeoutMs),
        }),
      signal,
      this.#timeoutMs,
      'OAuth2 token request',
    );
    const body = typeof response.data === 'string' ? response.data : '';
    if (response.status < 200 || response.status > 299) {
      const reason = `OAuth2 token request answered ${response.status}: ${oauthErrorText(body)}`;
      if (isTransientStatus(response.status))
        throw new SubmissionTransientError(reason, { status: response.status });
      throw new SubmissionPermanentError(reason, { status: response.status });
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(body);
    } catch (cause) {
      throw new SubmissionTransientError(
        'The OAuth2 token endpoint answered something that is not JSON.',
        {},
        { cause },
      );
    }
    const { access_token: accessToken, expires_in: expiresIn } = (parsed ?? {}) as {
      access_token?: unknown;
      expires_in?: unknown;
    };
    if (typeof accessToken !== 'string' || accessToken === '') {
      throw new SubmissionTransientError('The OAuth2 token endpoint answered without an access_token.');
    }
    const lifetimeS =
      typeof expiresIn === 'number' ? expiresIn : typeof expiresIn === 'string' ? Number(expiresIn) : NaN;
    return {
      value: accessToken,
      renewAtMs: Number.isFinite(lifetimeS)
        ? requestedAt + lifetimeS * 1000 - TOKEN_EXPIRY_MARGIN_MS
        : undefined,
    };
  }
}

/** `error` and `error_description` of an RFC 6749 §5.2 answer, else the body's text. */
function oauthErrorText(body: string): string {
  try {
    const parsed = JSON.parse(body) as { error?: unknown; error_description?: unknown };
    if (typeof parsed.error === 'string') {
      return typeof parsed.error_description === 'string'
        ? `${parsed.error}: ${parsed.error_description}`
        : parsed.error;
    }
  } catch {
    // fall through
  }
  return responseReason(body);
}
