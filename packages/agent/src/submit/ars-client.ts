import axios, { type AxiosInstance, type AxiosResponse } from 'axios';
import type { HttpAuth } from '../http/http-auth.js';
import { createAxiosTransport, type AxiosTransport } from '../http/axios-transport.js';
import { logHttpExchange, type HttpLogger } from '../http/http-logger.js';
import {
  OAuth2TokenCache,
  OAuth2TokenError,
  type TokenEndpointPost,
} from '../http/oauth2-client-credentials.js';
import type { ProxySetting } from '../http/proxy.js';
import { parseRetryAfterMs } from '../http/retry-after.js';
import type { Pem } from '../http/tls-options.js';
import { isTransientStatus } from '../http/transient-status.js';
import { AGENT_VERSION } from '../version.js';
import { combineSignals, requestOrThrow } from './http-request.js';
import { RECEIPT_HEADERS, type SubmissionReceipt } from './receipt.js';
import { responseReason, truncate } from './response-classification.js';
import { SubmissionPermanentError, SubmissionTransientError } from './submission-errors.js';

/** Default time allowed for one send, answer included. */
export const SUBMIT_TIMEOUT_MS = 60_000;
/** Largest answer accepted from the ARS. */
export const MAX_RESPONSE_BYTES = 10 * 1024 * 1024;

export interface ArsClientOptions {
  /** The ARS collection endpoint the transaction Bundle is POSTed to. */
  endpoint: string;
  /** Default `{ type: 'none' }`. */
  auth?: HttpAuth | undefined;
  /** Extra trust anchors (PEM) for an ARS behind a private or IGC Santé CA (beside a client certificate's `ca`). */
  ca?: Pem | Pem[] | undefined;
  /**
   * Proxy URL (`http://user:pass@proxy:3128`), `false` for none; `undefined` follows HTTPS_PROXY /
   * HTTP_PROXY / NO_PROXY.
   */
  proxy?: ProxySetting;
  /** Time allowed for one send (default `SUBMIT_TIMEOUT_MS`). */
  timeoutMs?: number | undefined;
  /** Clock for `Retry-After` dates, token expiry and `receivedAt`. */
  now?: (() => Date) | undefined;
  /** The submitter's logger: each request at debug level (method, redacted URL, status, duration). */
  logger?: HttpLogger | undefined;
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

/**
 * The default transport: POSTs the submission's exact bytes with axios (contract.md §4), with an
 * `Idempotency-Key` equal to the submission id, and classifies the answer. Axios errors never leave it.
 */
export class ArsClient implements SubmissionTransport {
  readonly #http: AxiosInstance;
  readonly #endpoint: string;
  readonly #auth: HttpAuth;
  readonly #options: ArsClientOptions;
  readonly #timeoutMs: number;
  readonly #now: () => Date;
  readonly #tokens: OAuth2TokenCache | undefined;
  /** TLS agent and proxy per origin (the endpoint and the token endpoint may differ: NO_PROXY). */
  readonly #transports = new Map<string, AxiosTransport>();

  constructor(options: ArsClientOptions) {
    this.#options = options;
    this.#endpoint = options.endpoint;
    this.#auth = options.auth ?? { type: 'none' };
    this.#timeoutMs = options.timeoutMs ?? SUBMIT_TIMEOUT_MS;
    this.#now = options.now ?? (() => new Date());
    // Fail at once on a bad proxy URL, as the config layer expects.
    this.#transportFor(this.#endpoint);
    this.#http = axios.create({
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
      this.#auth.type === 'oauth2-client-credentials'
        ? new OAuth2TokenCache(this.#auth, { post: this.#tokenPost(), nowMs: () => this.#now().getTime() })
        : undefined;
  }

  /** Sends one submission. See `SubmissionTransport.send`. */
  async send(submission: SubmissionPayload, signal?: AbortSignal): Promise<SubmissionReceipt> {
    const first = await this.#post(submission, signal);
    let { response } = first;
    if (response.status === 401 && this.#tokens !== undefined) {
      // The token may have been revoked or expired early: fetch a fresh one and try once more.
      this.#tokens.invalidate(first.token);
      ({ response } = await this.#post(submission, signal));
    }
    return this.#classify(response);
  }

  /** The TLS agent (client certificate, CA, CONNECT tunnel) and proxy for one URL's origin. */
  #transportFor(url: string): AxiosTransport {
    const target = new URL(url);
    let transport = this.#transports.get(target.origin);
    if (transport === undefined) {
      const tls = this.#auth.type === 'tls-client-certificate' ? this.#auth : undefined;
      const ownOrigin = target.origin === new URL(this.#endpoint).origin;
      transport = createAxiosTransport(target, {
        // The client certificate and the CA are the ARS's; a token endpoint elsewhere gets neither.
        tls: ownOrigin
          ? {
              ca: this.#options.ca ?? tls?.ca,
              cert: tls?.cert,
              key: tls?.key,
              passphrase: tls?.passphrase,
            }
          : undefined,
        proxy: this.#options.proxy,
      });
      this.#transports.set(target.origin, transport);
    }
    return transport;
  }

  /** One POST through axios with the origin's transport, logged at debug level. */
  async #request(
    url: string,
    body: Buffer | string,
    headers: Record<string, string>,
    signal: AbortSignal | undefined,
    what: string,
  ): Promise<AxiosResponse<string>> {
    const startedMs = performance.now();
    try {
      const response = await requestOrThrow(
        () =>
          this.#http.post<string>(url, body, {
            ...this.#transportFor(url),
            headers,
            signal: combineSignals(signal, this.#timeoutMs),
          }),
        signal,
        this.#timeoutMs,
        what,
      );
      logHttpExchange(this.#options.logger, {
        method: 'POST',
        url,
        status: response.status,
        durationMs: performance.now() - startedMs,
      });
      return response;
    } catch (error) {
      logHttpExchange(this.#options.logger, {
        method: 'POST',
        url,
        durationMs: performance.now() - startedMs,
        failure: error instanceof SubmissionTransientError ? (error.networkCode ?? 'network') : 'aborted',
      });
      throw error;
    }
  }

  #tokenPost(): TokenEndpointPost {
    return async (url, form, headers, signal) => {
      const response = await this.#request(url, form, headers, signal, 'OAuth2 token request');
      const retryAfter: unknown = response.headers['retry-after'];
      return {
        status: response.status,
        body: typeof response.data === 'string' ? response.data : '',
        retryAfter: typeof retryAfter === 'string' ? retryAfter : null,
      };
    };
  }

  async #post(
    submission: SubmissionPayload,
    signal?: AbortSignal,
  ): Promise<{ response: AxiosResponse<string>; token: string | undefined }> {
    const headers: Record<string, string> = {
      'Content-Type': 'application/fhir+json',
      Accept: 'application/fhir+json',
      'Idempotency-Key': submission.id,
    };
    if (this.#auth.type === 'bearer') headers['Authorization'] = `Bearer ${this.#auth.token}`;
    let token: string | undefined;
    if (this.#tokens !== undefined) {
      token = await this.#token(this.#tokens, signal);
      headers['Authorization'] = `Bearer ${token}`;
    }
    const response = await this.#request(
      this.#endpoint,
      Buffer.from(submission.body, 'utf8'),
      headers,
      signal,
      'submission',
    );
    return { response, token };
  }

  /** A token, its failures as the submission's own errors: a refusal is permanent, the rest transient. */
  async #token(tokens: OAuth2TokenCache, signal: AbortSignal | undefined): Promise<string> {
    try {
      return await tokens.token(signal);
    } catch (error) {
      if (!(error instanceof OAuth2TokenError)) throw error;
      const details = {
        status: error.status,
        retryAfterMs: error.retryAfterMs,
        networkCode: error.network?.code,
      };
      if (error.transient) throw new SubmissionTransientError(error.message, details, { cause: error });
      throw new SubmissionPermanentError(error.message, details, { cause: error });
    }
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
      this.#now().getTime(),
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
