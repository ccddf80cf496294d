/** Server diagnostics are quoted in error messages up to this length: enough to act on, not a data dump. */
export const OPERATION_OUTCOME_SUMMARY_MAX_CHARS = 300;

/**
 * `error not-found: Unknown page token` from an OperationOutcome body (severity, code, then details.text and
 * diagnostics of each issue), truncated to `maxChars`; undefined when the body is not an OperationOutcome or
 * says nothing. The FHIR sources and the ARS submitter quote a server's refusal this one way.
 */
export function summariseOperationOutcome(
  body: unknown,
  maxChars = OPERATION_OUTCOME_SUMMARY_MAX_CHARS,
): string | undefined {
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
    const text = [issue.details?.text, issue.diagnostics].filter(isText).join(' ');
    return [issue.severity, issue.code].filter(isText).join(' ') + (text === '' ? '' : `: ${text}`);
  });
  const summary = parts.join('; ').replace(/\s+/g, ' ').trim();
  if (summary === '') return undefined;
  return summary.length > maxChars ? `${summary.slice(0, maxChars - 1)}…` : summary;
}

function isText(part: unknown): part is string {
  return typeof part === 'string' && part !== '';
}
