import { AgentError } from '../errors.js';
import { describePage } from './source-page-context.js';
import type { SourcePageContext } from './source-page-context.js';

/**
 * A FHIR server page that failed at the HTTP level after every retry: an error status, a network error or a
 * timeout (`status` undefined). The message names the type, the page and the redacted URL, and quotes the server's
 * OperationOutcome diagnostics (truncated) when it sent one.
 */
export class SourceHttpError extends AgentError {
  override readonly name = 'SourceHttpError';
  readonly status: number | undefined;
  readonly resourceType: string;
  readonly page: number;
  readonly url: string;
  /** The server's OperationOutcome, summarised (`error invalid: Unknown search parameter: _elements`). */
  readonly outcome: string | undefined;

  constructor(
    context: SourcePageContext,
    status: number | undefined,
    detail: string,
    options?: { cause?: unknown; outcome?: string | undefined },
  ) {
    super('source-http', `${describePage(context)}: ${detail}`, options);
    this.status = status;
    this.resourceType = context.resourceType;
    this.page = context.page;
    this.url = context.url;
    this.outcome = options?.outcome;
  }
}

export function isSourceHttpError(value: unknown): value is SourceHttpError {
  return value instanceof SourceHttpError;
}
