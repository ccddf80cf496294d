/** Server diagnostics are quoted in error messages up to this length: enough to act on, not a data dump. */
export const OPERATION_OUTCOME_SUMMARY_MAX_CHARS = 300;

/**
 * `error not-found: Unknown page token` from an OperationOutcome body (severity, code, diagnostics or
 * details.text of each issue), truncated; undefined when the body is not an OperationOutcome.
 */
export function summariseOperationOutcome(body: unknown): string | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const outcome = body as { resourceType?: unknown; issue?: unknown };
  if (outcome.resourceType !== 'OperationOutcome' || !Array.isArray(outcome.issue)) return undefined;
  const parts = outcome.issue.map((raw) => {
    const issue = (typeof raw === 'object' && raw !== null ? raw : {}) as {
      severity?: unknown;
      code?: unknown;
      diagnostics?: unknown;
      details?: { text?: unknown };
    };
    const text = typeof issue.diagnostics === 'string' ? issue.diagnostics : issue.details?.text;
    return (
      [issue.severity, issue.code].filter((part) => typeof part === 'string').join(' ') +
      (typeof text === 'string' ? `: ${text}` : '')
    );
  });
  const summary = parts.join('; ').replace(/\s+/g, ' ').trim();
  if (summary === '') return undefined;
  return summary.length > OPERATION_OUTCOME_SUMMARY_MAX_CHARS
    ? `${summary.slice(0, OPERATION_OUTCOME_SUMMARY_MAX_CHARS - 1)}…`
    : summary;
}
