import { summariseOperationOutcome } from '../http/operation-outcome-summary.js';

/** Longest reason kept from an ARS refusal (in the outbox, the evidence and `esms status`). */
export const MAX_REASON_CHARS = 1_000;

export function truncate(text: string, maxChars = MAX_REASON_CHARS): string {
  return text.length <= maxChars ? text : `${text.slice(0, maxChars - 1)}…`;
}

/**
 * The human-readable text of an error response: the OperationOutcome's issues when the body is one,
 * else the raw body; truncated.
 */
export function responseReason(body: string): string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    // not JSON: keep the raw text
  }
  return (
    summariseOperationOutcome(parsed, MAX_REASON_CHARS) ??
    truncate(body.trim() === '' ? '(empty body)' : body.trim())
  );
}
