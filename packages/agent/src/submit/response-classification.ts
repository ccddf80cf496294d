/** Statuses that say "try again later" (contract.md §4); every other 4xx is permanent. */
const TRANSIENT_STATUSES: ReadonlySet<number> = new Set([408, 425, 429]);

/** Longest reason kept from an ARS refusal (in the outbox, the evidence and `esms status`). */
export const MAX_REASON_CHARS = 1_000;

/** Whether an HTTP status means the same request may succeed later. */
export function isTransientStatus(status: number): boolean {
  return TRANSIENT_STATUSES.has(status) || (status >= 500 && status <= 599);
}

/**
 * `Retry-After` as milliseconds from now: either delay-seconds or an HTTP-date (RFC 9110 §10.2.3).
 * Unparsable values are ignored (`undefined`); dates in the past mean "now" (0).
 */
export function parseRetryAfterMs(value: string | undefined, now: Date): number | undefined {
  if (value === undefined) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const date = Date.parse(trimmed);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - now.getTime());
}

export function truncate(text: string, maxChars = MAX_REASON_CHARS): string {
  return text.length <= maxChars ? text : `${text.slice(0, maxChars - 1)}…`;
}

/**
 * The human-readable text of an error response: the OperationOutcome's issues when the body is one,
 * else the raw body; truncated.
 */
export function responseReason(body: string): string {
  try {
    const parsed: unknown = JSON.parse(body);
    if (typeof parsed === 'object' && parsed !== null && 'resourceType' in parsed) {
      const outcome = parsed as {
        resourceType: unknown;
        issue?: Array<{
          severity?: string;
          code?: string;
          diagnostics?: string;
          details?: { text?: string };
        }>;
      };
      if (outcome.resourceType === 'OperationOutcome' && Array.isArray(outcome.issue)) {
        const texts = outcome.issue.map((issue) =>
          [issue.severity, issue.code, issue.details?.text, issue.diagnostics].filter(Boolean).join(' '),
        );
        if (texts.length > 0) return truncate(texts.join('; '));
      }
    }
  } catch {
    // not JSON: keep the raw text
  }
  return truncate(body.trim() === '' ? '(empty body)' : body.trim());
}
