/**
 * The ARS's answer to a successful submission (any 2xx): the **receipt** kept in the outbox and in the
 * evidence (contract.md §4). The body is kept as the raw text received, even when it is not valid JSON.
 */
export interface SubmissionReceipt {
  /** HTTP status (2xx). */
  status: number;
  /** A subset of the response headers worth keeping (content-type, location, date, etag, request ids). */
  headers: Record<string, string>;
  /** The response body exactly as received (normally a `transaction-response` Bundle). */
  body: string;
  /** When the answer arrived (ISO 8601, from the injected clock). */
  receivedAt: string;
}

/** Response headers kept in a receipt: enough to trace the submission at the ARS, nothing else. */
export const RECEIPT_HEADERS: readonly string[] = [
  'content-type',
  'content-location',
  'location',
  'date',
  'etag',
  'last-modified',
  'x-request-id',
  'x-correlation-id',
  'idempotent-replayed',
];
