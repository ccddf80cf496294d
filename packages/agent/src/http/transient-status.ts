/** Statuses that say "try again later" (contract.md §4): 408, 425, 429 and every 5xx. Other 4xx are final. */
const TRANSIENT_4XX: ReadonlySet<number> = new Set([408, 425, 429]);

/** Whether the same request may succeed later, for the FHIR source and the ARS alike. */
export function isTransientStatus(status: number): boolean {
  return TRANSIENT_4XX.has(status) || (status >= 500 && status <= 599);
}
