import type { OperationOutcome } from 'fhir/r4.js';

/**
 * What the service answers for a request it cannot serve (trpc style: one error class, a `code` from a
 * closed union, one table code → HTTP status). Every one goes out as a FHIR `OperationOutcome` whose
 * `diagnostics` is written for the developer of the calling DUI and whose `expression` names the place:
 * the query parameter, or the body's line (`line 17`) or field. Never any of the input's content.
 */
export type ServeErrorCode =
  | 'bad-request'
  | 'unauthorized'
  | 'forbidden'
  | 'not-found'
  | 'method-not-allowed'
  | 'payload-too-large'
  | 'unsupported-media-type'
  /** The route needs the config (`$evaluate-measure`, the dashboard) and the service runs without one. */
  | 'no-config'
  /** A configured source could not be read to its end: no figure is given (indicators.md). */
  | 'input-incomplete'
  | 'source-failed'
  | 'internal';

export const HTTP_STATUS_BY_CODE: Readonly<Record<ServeErrorCode, number>> = {
  'bad-request': 400,
  unauthorized: 401,
  forbidden: 403,
  'not-found': 404,
  'method-not-allowed': 405,
  'payload-too-large': 413,
  'unsupported-media-type': 415,
  'no-config': 501,
  'input-incomplete': 502,
  'source-failed': 502,
  internal: 500,
};

/** FHIR `issue.code` (the IssueType value set) for each of ours. */
const ISSUE_TYPE_BY_CODE: Readonly<Record<ServeErrorCode, string>> = {
  'bad-request': 'invalid',
  unauthorized: 'login',
  forbidden: 'security',
  'not-found': 'not-found',
  'method-not-allowed': 'not-supported',
  'payload-too-large': 'too-long',
  'unsupported-media-type': 'not-supported',
  'no-config': 'not-supported',
  'input-incomplete': 'incomplete',
  'source-failed': 'transient',
  internal: 'exception',
};

export class ServeError extends Error {
  override readonly name = 'ServeError';
  readonly code: ServeErrorCode;
  /** Where the problem is: `measureDate`, `line 17`, `Bundle.entry[3].resource`… */
  readonly expression: string | undefined;

  constructor(
    code: ServeErrorCode,
    message: string,
    options: { expression?: string | undefined; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.expression = options.expression;
  }

  get status(): number {
    return HTTP_STATUS_BY_CODE[this.code];
  }
}

export function isServeError(value: unknown): value is ServeError {
  return value instanceof ServeError;
}

export function operationOutcome(error: ServeError): OperationOutcome {
  return {
    resourceType: 'OperationOutcome',
    issue: [
      {
        severity: 'error',
        code: ISSUE_TYPE_BY_CODE[error.code] as OperationOutcome['issue'][number]['code'],
        details: { text: error.code },
        diagnostics: error.message,
        ...(error.expression === undefined ? {} : { expression: [error.expression] }),
      },
    ],
  };
}
