import { Agent as HttpsAgent } from 'node:https';
import axios, { type AxiosInstance, type AxiosProxyConfig, type AxiosResponse } from 'axios';
import { AgentError } from '../errors.js';
import { AGENT_VERSION } from '../version.js';
import { combineSignals, requestOrThrow } from './http-request.js';
import { OAuth2TokenSource, type OAuth2ClientCredentials } from './oauth2-token-source.js';
import { RECEIPT_HEADERS, type SubmissionReceipt } from './receipt.js';
import { isTransientStatus, parseRetryAfterMs, responseReason, truncate } from './response-classification.js';
import { SubmissionPermanentError, SubmissionTransientError } from './submission-errors.js';

/** Default time allowed for one send, answer included. */
export const SUBMIT_TIMEOUT_MS = 60_000;
/** Largest answer accepted from the ARS. */
export const MAX_RESPONSE_BYTES = 10 * 1024 * 1024;

type Pem = string | Buffer;

/** How the agent authenticates to the ARS (contract.md §4). Secrets arrive as values: the config layer reads them. */
export type ArsAuth =
  | { kind: 'none' }
  | { kind: 'bearer'; token: string }
  | ({ kind: 'oauth2-client-credentials' } & OAuth2ClientCredentials)
  | {
      /** TLS client certificate (IGC Santé style). */
      kind: 'client-certificate';
      cert: Pem;
      key: Pem;
      passphrase?: string | undefined;
    };

export interface ArsClientOptions {
  /** The ARS collection endpoint the transaction Bundle is POSTed to. */
  endpoint: string;
  /** Default `{ kind: 'none' }`. */
  auth?: ArsAuth | undefined;
  /** Extra trust anchors (PEM) for an ARS behind a private or IGC Santé CA. */
  ca?: Pem | Pem[] | undefined;
  /**
   * Proxy URL (`http://user:pass@proxy:3128`), `false` for none; `undefined` follows HTTPS_PROXY /
   * HTTP_PROXY / NO_PROXY.
   */
  proxy?: string | false | undefined;
  /** Time allowed for one send (default `SUBMIT_TIMEOUT_MS`). */
  timeoutMs?: number | undefined;
  /** Clock for `Retry-After` dates, token expiry and `receivedAt`. */
  now?: (() => Date) | undefined;
}

/** What a transport needs of a submission: its id (the idempotency key) and the exact bytes. */
export interface SubmissionPayload {
  id: string;
  body: string;
}

/**
 * The submission transport (pluggable, contract.md §4). Resolves with the receipt on any 2xx; rejects
 * with `SubmissionTransientError`, `SubmissionPermanentError`, or `AgentError('aborted')`.
 */
export interface SubmissionTransport {
  send(submission: SubmissionPayload, signal?: AbortSignal): Promise<SubmissionReceipt>;
}

/** Parses a proxy URL into axios's form (axios itself does env proxies when this is left undefined). */
function proxyConfig(proxy: string): AxiosProxyConfig {
  let url: URL;
  try {
    url = new URL(proxy);
  } catch (cause) {
    throw new AgentError('config-invalid', 'The submission proxy is not a valid URL.', { cause });
  }
  const config: AxiosProxyConfig = {
    protocol: url.protocol.replace(/:$/, ''),
    host: url.hostname,
    port: url.port === '' ? (url.protocol === 'https:' ? 443 : 80) : Number(url.port),
  };
  if (url.username !== '') {
    config.auth = { username: decodeURIComponent(url.username), password: decodeURIComponent(url.password) };
  }
  return config;
}

/**
 * The default transport: POSTs the submission's exact bytes with axios (contract.md §4), with an
 * `Idempotency-Key` equal to the submission id, and classifies the answer. Axios errors never leave it.
 */
export class ArsClient implements SubmissionTransport {
  readonly #http: AxiosInstance;
  readonly #endpoint: string;
  readonly #auth: ArsAuth;
  readonly #timeoutMs: number;
  readonly #now: () => Date;
  readonly #tokens: OAuth2TokenSource | undefined;

  constructor(options: ArsClientOptions) {
    this.#endpoint = options.endpoint;
    this.#auth = options.auth ?? { kind: 'none' };
    this.#timeoutMs = options.timeoutMs ?? SUBMIT_TIMEOUT_MS;
    this.#now = options.now ?? (() => new Date());
    const tls = this.#auth.kind === 'client-certificate' ? this.#auth : undefined;
    const httpsAgent =
      tls !== undefined || options.ca !== undefined
        ? new HttpsAgent({
            keepAlive: false,
            ...(options.ca === undefined ? {} : { ca: options.ca }),
            ...(tls === undefined
              ? {}
              : {
                  cert: tls.cert,
                  key: tls.key,
                  ...(tls.passphrase === undefined ? {} : { passphrase: tls.passphrase }),
                }),
          })
        : undefined;
    this.#http = axios.create({
      ...(httpsAgent === undefined ? {} : { httpsAgent }),
      ...(options.proxy === undefined
        ? {}
        : { proxy: options.proxy === false ? false : proxyConfig(options.proxy) }),
      timeout: this.#timeoutMs,
      maxRedirects: 0,
      maxContentLength: MAX_RESPONSE_BYTES,
      maxBodyLength: Infinity,
      responseType: 'text',
      responseEncoding: 'utf8',
      // Keep the exact bytes both ways: no JSON (re)serialisation, no trimming.
      transformRequest: [(data: unknown) => data],
      transformResponse: [(data: unknown) => data],
      validateStatus: () => true,
      headers: { 'User-Agent': `esms-numerique-agent/${AGENT_VERSION}` },
    });
    this.#tokens =
      this.#auth.kind === 'oauth2-client-credentials'
        ? new OAuth2TokenSource(this.#auth, { http: this.#http, now: this.#now, timeoutMs: this.#timeoutMs })
        : undefined;
  }

  /** Sends one submission. See `SubmissionTransport.send`. */
  async send(submission: SubmissionPayload, signal?: AbortSignal): Promise<SubmissionReceipt> {
    let response = await this.#post(submission, false, signal);
    if (response.status === 401 && this.#tokens !== undefined) {
      // The token may have been revoked or expired early: fetch a fresh one and try once more.
      this.#tokens.invalidate();
      response = await this.#post(submission, true, signal);
    }
    return this.#classify(response);
  }

  async #post(
    submission: SubmissionPayload,
    freshToken: boolean,
    signal?: AbortSignal,
  ): Promise<AxiosResponse<string>> {
    const headers: Record<string, string> = {
      'Content-Type': 'application/fhir+json',
      Accept: 'application/fhir+json',
      'Idempotency-Key': submission.id,
    };
    if (this.#auth.kind === 'bearer') headers['Authorization'] = `Bearer ${this.#auth.token}`;
    if (this.#tokens !== undefined) {
      headers['Authorization'] = `Bearer ${await this.#tokens.token(freshToken, signal)}`;
    }
    return requestOrThrow(
      () =>
        this.#http.post<string>(this.#endpoint, Buffer.from(submission.body, 'utf8'), {
          headers,
          signal: combineSignals(signal, this.#timeoutMs),
        }),
      signal,
      this.#timeoutMs,
      'submission',
    );
  }

  #classify(response: AxiosResponse<string>): SubmissionReceipt {
    const { status } = response;
    const body = typeof response.data === 'string' ? response.data : '';
    if (status >= 200 && status <= 299) {
      const headers: Record<string, string> = {};
      for (const name of RECEIPT_HEADERS) {
        const value: unknown = response.headers[name];
        if (typeof value === 'string' || typeof value === 'number') headers[name] = String(value);
        else if (Array.isArray(value)) headers[name] = value.join(', ');
      }
      return { status, headers, body, receivedAt: this.#now().toISOString() };
    }
    const retryAfterHeader: unknown = response.headers['retry-after'];
    const retryAfterMs = parseRetryAfterMs(
      typeof retryAfterHeader === 'string' ? retryAfterHeader : undefined,
      this.#now(),
    );
    const reason = responseReason(body);
    if (isTransientStatus(status)) {
      throw new SubmissionTransientError(`The ARS answered ${status}: ${reason}`, { status, retryAfterMs });
    }
    if (status >= 300 && status <= 399) {
      const location: unknown = response.headers['location'];
      const where = typeof location === 'string' ? ` to ${truncate(location, 200)}` : '';
      throw new SubmissionPermanentError(
        `The ARS endpoint redirects (${status})${where}; fix the endpoint URL.`,
        {
          status,
        },
      );
    }
    throw new SubmissionPermanentError(`The ARS refused the submission (${status}): ${reason}`, {
      status,
      retryAfterMs,
    });
  }
}
