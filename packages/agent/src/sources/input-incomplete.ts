/**
 * indicators.md "Data quality" → "A record and an input are different things": a record that cannot be used
 * is reported and skipped; an *input* that could not be read to its end (a file, a compressed stream, a Bulk
 * manifest or a file it lists, a FHIR search whose pages stop before its `total`) is `input-incomplete`. One
 * notion for every source: what the input is, why it stopped, and how far it got. Who reads decides what it
 * means: `esms compute` still prints its document with the error; a run that seals or submits fails and
 * sends nothing (`SourceIncompleteError`), since records it never saw may change any figure.
 */

/** Why an input could not be read to its end. */
export type IncompleteReason =
  /** FHIR: the last page came (no `next` link) before the `total` the server announced. */
  | 'ended-before-total'
  /** FHIR: a page held records an earlier page of the same search already gave: paging is not stable. */
  | 'page-repeats'
  /** FHIR: a `next` link asks for an offset at or before the current one. */
  | 'page-goes-backwards'
  /** FHIR: the server stops paging past an offset, and nothing lets the read go on beyond it. */
  | 'offset-limit'
  /** A file ends before its end: a truncated gzip stream or JSON document, or a read error on the way. */
  | 'truncated'
  /** A `.json` file that is not valid JSON to its end: it is one input, so none of its records were read. */
  | 'invalid-json'
  /** A Bulk Data file holding fewer resources than the `count` its manifest entry announces. */
  | 'fewer-than-declared'
  /** A `.gz` file that is not gzip (or is corrupt). */
  | 'not-gzip'
  /** A file that could not be opened or read at all. */
  | 'unreadable'
  /** A Bulk Data `manifest.json` that is not valid JSON, has no `output` array, or an entry without a file. */
  | 'manifest-invalid'
  /** A file a Bulk Data manifest lists that is not in the directory. */
  | 'listed-file-missing'
  /** A Bulk Data export whose error file reports errors: the server could not export some records. */
  | 'export-errors';

/** How far a read got before it stopped (what applies to the input). */
export interface IncompleteProgress {
  /** Complete lines read (NDJSON). */
  lines?: number;
  /** Bytes read (of the uncompressed data, for gzip). */
  bytes?: number;
  /** Pages read and distinct records they held (FHIR), and the total the server announced. */
  pages?: number;
  records?: number;
  total?: number | undefined;
}

export interface InputIncomplete {
  /** The input: a file path, or a FHIR search (`Encounter search`). */
  input: string;
  reason: IncompleteReason;
  /** What happened, never any of the input's content. */
  detail: string;
  read: IncompleteProgress;
}

/** `Encounter.000.ndjson.gz: read 1 234 lines (98 304 bytes) before the gzip stream ended early`. */
export function describeIncomplete(incomplete: InputIncomplete): string {
  const { read } = incomplete;
  if (read.pages !== undefined) {
    const of = read.total === undefined ? '' : ` of ${read.total}`;
    return `${incomplete.input} incomplete after ${read.pages} page(s) and ${read.records ?? 0}${of} records: ${incomplete.detail}`;
  }
  const parts: string[] = [];
  if (read.lines !== undefined) parts.push(`${read.lines} line${read.lines === 1 ? '' : 's'}`);
  if (read.bytes !== undefined) parts.push(`${read.bytes} bytes`);
  const progress =
    parts.length === 0
      ? ''
      : ` after ${parts[0]!}${parts.length > 1 ? ` (${parts.slice(1).join(', ')})` : ''}`;
  return `${incomplete.input} incomplete${progress}: ${incomplete.detail}`;
}
