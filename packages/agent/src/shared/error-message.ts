/** An error's message as a report quotes it: `message` for an `Error`, the value as text otherwise. */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
