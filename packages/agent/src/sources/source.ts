import type { PageCounter } from '../progress/progress-observer.js';
import type { InputIncomplete } from './input-incomplete.js';

/**
 * A source of FHIR records (STYLE.md §2: adapters at the agent's edges behind one small interface).
 * Records come out in whatever order the source has them; the SDK does not need any order.
 */
export interface RecordSource {
  /** A short, non-identifying label for logs and run records (`fhir:https://dui.example/fhir`, `ndjson:3 paths`). */
  readonly label: string;
  /**
   * Set by sources that read local files: the paths, so that the runner may read them in parallel (worker
   * threads) instead of through `records()`. Both ways yield the same records.
   */
  readonly localPaths?: readonly string[] | undefined;
  /**
   * Streams every record the indicator rules need. Yields parsed JSON values (resources or Bundles);
   * a record that cannot be parsed is yielded as a `SourceProblem` so the caller can report it and go on;
   * an input that could not be read to its end as an `InputIncomplete` (the caller decides: report it, or
   * fail the run). Stops early (and releases its resources) when `signal` aborts. A source that reads
   * pages (a FHIR server) tells `pages` of each one, for the progress display; file sources may ignore it.
   */
  records(signal?: AbortSignal, pages?: PageCounter): AsyncIterable<SourceItem>;
}

export type SourceItem =
  | ({ kind: 'record'; value: unknown } & RecordPlace)
  | { kind: 'problem'; problem: SourceProblem }
  | { kind: 'incomplete'; incomplete: InputIncomplete };

/**
 * Where a file source read a record (the SDK's `RecordLocation`): the file, its line (read whole) or the byte
 * offset of the line (a slice shared between threads), and `order`, its place in the whole input (file index
 * in the plan × 2⁴⁰ + byte offset), the same whichever thread reads it.
 */
export interface RecordPlace {
  input?: string;
  line?: number;
  byteOffset?: number;
  order?: number;
}

/** A record a source could not read: where it was and why, never its content (it may hold health data). */
export interface SourceProblem {
  /** File and line (`Patient.000.ndjson:17`) or URL of the page. */
  location: string;
  reason: string;
  /** The same place, structured (file sources). */
  at?: { input: string; line?: number; byteOffset?: number };
}
