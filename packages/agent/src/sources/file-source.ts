import { readFile } from 'node:fs/promises';
import { ORDER_PER_FILE, planFiles, stripBom } from './file-plan.js';
import type { PlannedFile } from './file-plan.js';
import { describeJsonSyntaxError } from './json-syntax-reason.js';
import { readNdjsonBatches } from './ndjson-lines.js';
import { throwIfSourceAborted } from './source-aborted.js';
import type { RecordSource, SourceItem } from './source.js';

export interface FileSourceOptions {
  /** Files (`.ndjson`, `.jsonl`, their `.gz`, `.json`) and directories of them (e.g. a FHIR Bulk Data export). */
  paths: readonly string[];
  /** NDJSON read size in bytes; the default (1 MiB) is right outside tests. */
  highWaterMarkBytes?: number | undefined;
}

/**
 * A record source over local files: NDJSON (one resource per line, gzip when named `.gz`), JSON files holding a
 * Bundle or a single resource (yielded whole), and directories of them. A directory holding a bulk export
 * `manifest.json` is read exactly as its manifest lists. Files come Organization first, then Patient, then the
 * rest by name (see `planFiles`).
 *
 * Every path is checked before the first record is yielded: a missing or unreadable path throws
 * `InputUnreadableError` (code `input-unreadable`) from the iterator, since it is a usage or configuration mistake
 * and figures from the remaining paths would be wrong. A line or file that is not valid JSON is yielded as a
 * `problem` with its place and the kind of error, never its content. A file that cannot be read to its end (a
 * truncated `.ndjson.gz`, a `.gz` that is not gzip, a `.json` file that is not valid JSON, an NDJSON file cut
 * mid-line, an invalid bulk manifest, a file it lists that is missing or holding fewer resources than its
 * `count`) is yielded as an `incomplete` item, and the other files are read.
 */
export function createFileSource(options: FileSourceOptions): RecordSource {
  const paths = [...options.paths];
  return {
    localPaths: paths,
    label: paths.length === 1 ? 'files:1 path' : `files:${paths.length} paths`,
    records: (signal?: AbortSignal) => readFiles(paths, options.highWaterMarkBytes, signal),
  };
}

async function* readFiles(
  paths: readonly string[],
  highWaterMarkBytes: number | undefined,
  signal: AbortSignal | undefined,
): AsyncGenerator<SourceItem, void, undefined> {
  throwIfSourceAborted(signal);
  const plan = await planFiles(paths);
  for (const problem of plan.problems) yield { kind: 'problem', problem };
  for (const incomplete of plan.incomplete) yield { kind: 'incomplete', incomplete };
  for (const file of plan.files) {
    throwIfSourceAborted(signal);
    // By batches, delegated once here: each level an item is delegated through is an async step per record.
    for await (const batch of readPlannedFileBatches(file, signal, { highWaterMarkBytes })) yield* batch;
  }
}

/**
 * Reads one planned file: NDJSON line by line (only the lines starting in `range`, when given), a `.json`
 * file whole; one array of items per read chunk (see `readNdjsonBatches`). Shared by the source above and by
 * the parallel readers of the runner's worker threads.
 */
export async function* readPlannedFileBatches(
  file: PlannedFile,
  signal?: AbortSignal,
  options: {
    highWaterMarkBytes?: number | undefined;
    range?: { start: number; end: number } | undefined;
  } = {},
): AsyncGenerator<SourceItem[], void, undefined> {
  if (file.format === 'ndjson') {
    yield* readNdjsonBatches(file.path, signal, {
      ...options,
      orderBase: file.index * ORDER_PER_FILE,
      declaredCount: file.declaredCount,
    });
  } else {
    yield [await readJsonFile(file)];
  }
}

/**
 * A `.json` file is parsed whole: a Bundle or one resource (the SDK unpacks Bundles). One that cannot be read,
 * or that is not valid JSON to its end (a truncated or corrupt file), is an incomplete input.
 */
async function readJsonFile(file: PlannedFile): Promise<SourceItem> {
  let text: string;
  try {
    text = await readFile(file.path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return {
      kind: 'incomplete',
      incomplete: {
        input: file.path,
        reason: 'unreadable',
        detail: `cannot be read (${code ?? 'read failed'})`,
        read: { bytes: 0 },
      },
    };
  }
  try {
    return {
      kind: 'record',
      value: JSON.parse(stripBom(text)) as unknown,
      input: file.path,
      order: file.index * ORDER_PER_FILE,
    };
  } catch (error) {
    // One `.json` file is one input (a Bundle or a resource): whether it was cut (most cuts end inside a
    // string or after a comma, not only at "end of input") or is corrupt, none of its records can be read,
    // so it is incomplete, never one bad record that a run would skip (issue 9 §2).
    const reason = describeJsonSyntaxError(error);
    const endsEarly = reason.startsWith('invalid JSON (Unexpected end of JSON input');
    return {
      kind: 'incomplete',
      incomplete: {
        input: file.path,
        reason: endsEarly ? 'truncated' : 'invalid-json',
        detail: endsEarly
          ? 'the JSON document ends early (Unexpected end of JSON input): none of its records were read'
          : `the file is not valid JSON to its end, ${reason}: none of its records were read`,
        read: { bytes: Buffer.byteLength(text) },
      },
    };
  }
}
