import { createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { AgentConfig } from '../config/agent-config-schema.js';
import { MIN_SERVE_TOKEN_LENGTH } from '../config/config-defaults.js';
import { resolveSecret } from '../secrets/resolve-secret.js';
import { SecretMissingError } from '../secrets/secret-missing-error.js';
import { describeSecretRef } from '../secrets/secret-ref.js';
import { ServeError } from './serve-error.js';

/** The dashboard's login cookie: a MAC of the token, never the token itself. */
export const SESSION_COOKIE = 'esms_session';

/**
 * The service's token (`serve.token`), read now from its environment variable or file, or `null` when
 * the config has none. Too short to resist guessing → the same error as a missing secret (exit 3), naming
 * the key and where it was read, never the value.
 */
export async function resolveServeToken(
  config: Pick<AgentConfig, 'serve'> | null,
  env: NodeJS.ProcessEnv = process.env,
): Promise<string | null> {
  const ref = config?.serve?.token;
  if (ref === undefined) return null;
  const token = await resolveSecret(ref, 'serve.token', { env });
  if (token.length < MIN_SERVE_TOKEN_LENGTH) {
    throw new SecretMissingError([
      {
        key: 'serve.token',
        message: `the token in ${describeSecretRef(ref)} is too short: at least ${MIN_SERVE_TOKEN_LENGTH} characters (e.g. openssl rand -hex 24)`,
      },
    ]);
  }
  return token;
}

/** Checks a caller's credentials against the service's token; no token configured: nobody is authenticated. */
export class ServeAuth {
  readonly #token: Buffer | null;
  readonly #session: Buffer | null;

  constructor(token: string | null) {
    this.#token = token === null ? null : Buffer.from(token, 'utf8');
    this.#session = token === null ? null : createHmac('sha256', token).update('esms-serve-session').digest();
  }

  get configured(): boolean {
    return this.#token !== null;
  }

  /** `Authorization: Bearer <token>` (API callers). */
  bearer(request: IncomingMessage): boolean {
    const header = request.headers.authorization ?? '';
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    return match?.[1] !== undefined && this.matchesToken(match[1]);
  }

  /** The bearer header, or the dashboard's session cookie (browsers). */
  bearerOrSession(request: IncomingMessage): boolean {
    if (this.bearer(request)) return true;
    const cookie = readCookie(request, SESSION_COOKIE);
    if (cookie === undefined || this.#session === null) return false;
    const given = Buffer.from(cookie, 'hex');
    return given.length === this.#session.length && timingSafeEqual(given, this.#session);
  }

  matchesToken(candidate: string): boolean {
    if (this.#token === null) return false;
    const given = Buffer.from(candidate, 'utf8');
    return given.length === this.#token.length && timingSafeEqual(given, this.#token);
  }

  /** The cookie value that a successful login sets. */
  sessionValue(): string {
    if (this.#session === null) throw new Error('no token configured');
    return this.#session.toString('hex');
  }

  /** Throws 401/403 unless the caller is authenticated; `what` says what needs it, for the message. */
  require(authenticated: boolean, what: string): void {
    if (!this.configured) {
      throw new ServeError(
        'forbidden',
        `${what} is person-level: it is served only to a caller presenting the service's token, and this service has none (set serve.token in the config)`,
      );
    }
    if (!authenticated) {
      throw new ServeError(
        'unauthorized',
        `${what} is person-level: present the service's token (Authorization: Bearer …)`,
        { expression: 'Authorization' },
      );
    }
  }
}

function readCookie(request: IncomingMessage, name: string): string | undefined {
  for (const part of (request.headers.cookie ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}
