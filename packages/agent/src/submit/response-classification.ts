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
