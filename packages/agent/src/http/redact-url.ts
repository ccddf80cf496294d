/**
 * Query parameters whose values are safe to show: paging and the searches this agent sends. Any other value (a
 * page token, a `subject=Patient/…` a server echoes back, an `identifier=` …) may identify a person: shown as `…`.
 */
const QUERY_PARAMETERS_SHOWN = new Set([
  '_count',
  '_elements',
  '_lastUpdated',
  'date',
  '_offset',
  '_getpagesoffset',
  '_page',
  'page',
  '_sort',
  '_total',
  '_format',
  '_bundletype',
]);

/**
 * A URL fit for an error message or a log: no credentials, query values kept only for the parameters above.
 * `https://u:p@dui.example/fhir/Encounter?_getpages=abc&_count=500` → `https://dui.example/fhir/Encounter?_getpages=…&_count=500`.
 */
export function redactUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return '(not a URL)';
  }
  const query = [...parsed.searchParams.entries()]
    .map(
      ([name, value]) =>
        `${encodeURIComponent(name)}=${QUERY_PARAMETERS_SHOWN.has(name) ? encodeURIComponent(value) : '…'}`,
    )
    .join('&');
  return `${parsed.protocol}//${parsed.host}${parsed.pathname}${query === '' ? '' : `?${query}`}`;
}
