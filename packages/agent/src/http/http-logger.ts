import { redactUrl } from './redact-url.js';

/**
 * The slice of a pino logger the HTTP code uses; the component passes its own child (`{ component: 'source' }`,
 * `{ component: 'submitter' }`) so that each line says who spoke.
 */
export interface HttpLogger {
  debug(details: object, message: string): void;
  warn(details: object, message: string): void;
}

/** One HTTP exchange, as logged at debug level. */
export interface HttpExchange {
  method: string;
  url: string;
  /** The answer's status; undefined when none arrived. */
  status?: number | undefined;
  durationMs: number;
  /** `ECONNREFUSED`, `timeout`…, when no answer arrived. */
  failure?: string | undefined;
}

/**
 * Logs one request at debug level: method, URL without credentials and with identifying query values
 * redacted (`redactUrl`), status or failure, duration. Never headers or bodies: they carry tokens and
 * health data.
 */
export function logHttpExchange(logger: HttpLogger | undefined, exchange: HttpExchange): void {
  logger?.debug(
    {
      method: exchange.method,
      url: redactUrl(exchange.url),
      ...(exchange.status === undefined ? {} : { status: exchange.status }),
      ...(exchange.failure === undefined ? {} : { failure: exchange.failure }),
      durationMs: Math.round(exchange.durationMs),
    },
    'http request',
  );
}
