import { AgentError } from '../errors.js';
import { describeIncomplete, type IncompleteReason, type InputIncomplete } from './input-incomplete.js';

export type { IncompleteReason } from './input-incomplete.js';

/**
 * An input that could not be read to its end (input-incomplete.ts), as the error that makes a run that would
 * seal or submit fail with nothing sent: a FHIR search that stops early, a truncated or corrupt file, a Bulk
 * manifest or a file it lists. The message names the input and how far it got.
 */
export class SourceIncompleteError extends AgentError {
  override readonly name = 'SourceIncompleteError';
  readonly incomplete: InputIncomplete;
  /** Every incomplete input the run met, this one first. */
  readonly inputs: readonly InputIncomplete[];
  readonly reason: IncompleteReason;
  /** The FHIR resource type of a search, when it is one. */
  readonly resourceType: string | undefined;
  /** FHIR: pages read, and distinct records they held; the server's `Bundle.total`, when it gave one. */
  readonly pages: number | undefined;
  readonly records: number | undefined;
  readonly total: number | undefined;

  constructor(
    incomplete: InputIncomplete,
    options?: { cause?: unknown; resourceType?: string; others?: readonly InputIncomplete[] },
  ) {
    const others = options?.others ?? [];
    const more =
      others.length === 0
        ? ''
        : ` (and ${others.length} more incomplete input${others.length > 1 ? 's' : ''})`;
    super('input-incomplete', `${describeIncomplete(incomplete)}${more}`, options);
    this.incomplete = incomplete;
    this.inputs = [incomplete, ...others];
    this.reason = incomplete.reason;
    this.resourceType = options?.resourceType;
    this.pages = incomplete.read.pages;
    this.records = incomplete.read.records;
    this.total = incomplete.read.total;
  }
}

export function isSourceIncompleteError(value: unknown): value is SourceIncompleteError {
  return value instanceof SourceIncompleteError;
}
