/** Where a FHIR server source failed: which search and which page (1 = the first search request). */
export interface SourcePageContext {
  resourceType: string;
  page: number;
  /** The page URL with identifying query values redacted (see `redactUrl`). */
  url: string;
}

/** `Encounter page 3 (https://dui.example/fhir/Encounter?_getpages=…)`: the prefix of every source error message. */
export function describePage(context: SourcePageContext): string {
  return `${context.resourceType} page ${context.page} (${context.url})`;
}
