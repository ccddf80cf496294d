/** A JSON object (not `null`, not an array): the agent's one guard before reading fields of unknown JSON. */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
