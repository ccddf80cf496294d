import { AgentError } from '../errors.js';

/** Why a search could not be read to its end. */
export type IncompleteReason =
  /** The last page came (no `next` link) before the `total` the server announced. */
  | 'ended-before-total'
  /** A page held records an earlier page of the same search already gave: paging is not stable. */
  | 'page-repeats'
  /** A `next` link asks for an offset at or before the current one. */
  | 'page-goes-backwards'
  /** The server stops paging past an offset, and nothing lets the read go on beyond it. */
  | 'offset-limit';

/**
 * A FHIR search that could not be read to its end (indicators.md, "Data quality": `input-incomplete`). Records
 * it never saw may change any figure, so a run that would seal or submit fails and sends nothing. The message
 * names the search and how far it got.
 */
export class SourceIncompleteError extends AgentError {
  override readonly name = 'SourceIncompleteError';
  readonly reason: IncompleteReason;
  readonly resourceType: string;
  /** Pages read, and distinct records they held. */
  readonly pages: number;
  readonly records: number;
  /** The server's `Bundle.total`, when it gave one. */
  readonly total: number | undefined;

  constructor(
    details: {
      reason: IncompleteReason;
      resourceType: string;
      pages: number;
      records: number;
      total: number | undefined;
      detail: string;
    },
    options?: { cause?: unknown },
  ) {
    const of = details.total === undefined ? '' : ` of ${details.total}`;
    super(
      'input-incomplete',
      `${details.resourceType} search incomplete after ${details.pages} page(s) and ${details.records}${of} records: ${details.detail}`,
      options,
    );
    this.reason = details.reason;
    this.resourceType = details.resourceType;
    this.pages = details.pages;
    this.records = details.records;
    this.total = details.total;
  }
}

export function isSourceIncompleteError(value: unknown): value is SourceIncompleteError {
  return value instanceof SourceIncompleteError;
}
