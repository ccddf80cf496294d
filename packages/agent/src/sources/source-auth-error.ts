import { AgentError } from '../errors.js';

/**
 * The FHIR server (401/403, after one token refresh for OAuth2) or its token endpoint refused our credentials.
 * Never retried: the configuration must change. The message never holds a token or a secret.
 */
export class SourceAuthError extends AgentError {
  override readonly name = 'SourceAuthError';
  readonly status: number | undefined;
  /** The redacted URL that refused (a FHIR page or the token endpoint). */
  readonly url: string;

  constructor(message: string, status: number | undefined, url: string, options?: { cause?: unknown }) {
    super('source-auth', message, options);
    this.status = status;
    this.url = url;
  }
}

export function isSourceAuthError(value: unknown): value is SourceAuthError {
  return value instanceof SourceAuthError;
}
