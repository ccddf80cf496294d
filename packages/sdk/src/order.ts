/**
 * One order for every list a computation produces: by code unit, never by locale, so that results never
 * depend on input order, on how worker threads shared the input out, or on the machine's language.
 */
export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
