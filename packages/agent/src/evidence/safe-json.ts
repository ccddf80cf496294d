/**
 * JSON read from evidence (journal lines, blobs, receipts) is untrusted: it may have been written by
 * someone who wants the verifier to crash rather than say "NOT VERIFIED". `JSON.parse` itself is not
 * recursive in V8, but every walk after it would be, so evidence deeper than any the agent writes is
 * refused at the parse, with a reason, before anything walks it.
 */

/**
 * The deepest nesting evidence may have. What the agent seals is at most about a dozen levels deep (a
 * submission Bundle: entry → resource → group → stratifier → stratum → population → code → coding); 64
 * leaves room for other FHIR servers' receipts while keeping every later walk far from the stack limit.
 */
export const MAX_EVIDENCE_JSON_DEPTH = 64;

export type SafeJsonResult = { ok: true; value: unknown } | { ok: false; reason: string };

/** Parses JSON and checks its depth; never throws. */
export function parseEvidenceJson(text: string, maxDepth = MAX_EVIDENCE_JSON_DEPTH): SafeJsonResult {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { ok: false, reason: 'not valid JSON' };
  }
  const depth = jsonDepthBeyond(value, maxDepth);
  if (depth) return { ok: false, reason: `nested deeper than ${maxDepth} levels` };
  return { ok: true, value };
}

/** Whether a parsed JSON value nests deeper than `limit` arrays/objects (iterative). */
export function jsonDepthBeyond(value: unknown, limit: number): boolean {
  const stack: { value: unknown; depth: number }[] = [{ value, depth: 0 }];
  while (stack.length > 0) {
    const { value: current, depth } = stack.pop() as { value: unknown; depth: number };
    if (typeof current !== 'object' || current === null) continue;
    if (depth + 1 > limit) return true;
    const children = Array.isArray(current)
      ? (current as unknown[])
      : Object.values(current as Record<string, unknown>);
    for (const child of children) {
      if (typeof child === 'object' && child !== null) stack.push({ value: child, depth: depth + 1 });
    }
  }
  return false;
}
