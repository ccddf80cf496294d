import { AgentError } from '../errors.js';
import { describePage } from './source-page-context.js';
import type { SourcePageContext } from './source-page-context.js';

/**
 * A FHIR server page that arrived but cannot be used: not JSON, not a Bundle, or a `next` link that loops back,
 * leaves the server's origin, or is not a URL. Not retried: the same request would get the same answer.
 */
export class SourceInvalidResponseError extends AgentError {
  override readonly name = 'SourceInvalidResponseError';
  readonly resourceType: string;
  readonly page: number;
  readonly url: string;

  constructor(context: SourcePageContext, detail: string, options?: { cause?: unknown }) {
    super('source-invalid-response', `${describePage(context)}: ${detail}`, options);
    this.resourceType = context.resourceType;
    this.page = context.page;
    this.url = context.url;
  }
}

export function isSourceInvalidResponseError(value: unknown): value is SourceInvalidResponseError {
  return value instanceof SourceInvalidResponseError;
}
