import type { Stats } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { InputUnreadableError } from './input-unreadable-error.js';
import type { InputIncomplete } from './input-incomplete.js';
import type { SourceProblem } from './source.js';

/** One file to read, in the order of the plan. */
export interface PlannedFile {
  /** Path to open. */
  path: string;
  /** `ndjson` for one resource per line (gzip or not), `json` for a whole Bundle or resource. */
  format: 'ndjson' | 'json';
  /** The resource type the file holds, when its name or the bulk manifest says; orders the files. */
  resourceType: string | undefined;
  /** Its place in the plan: orders its records before those of the files after it (`RecordPlace.order`). */
  index: number;
  /** The resources its bulk manifest entry announces (`count`, optional in the Bulk Data spec), when given. */
  declaredCount?: number | undefined;
}

export interface FilePlan {
  files: PlannedFile[];
  /** Things the input itself reports that are not records (a bulk export's warnings). */
  problems: SourceProblem[];
  /**
   * Inputs that cannot be read to their end (input-incomplete.ts): an invalid bulk manifest, a file it
   * lists that is missing, an export whose error file reports errors. The rest of the plan is read.
   */
  incomplete: InputIncomplete[];
}

/** `RecordPlace.order` of a file's first byte: its index in the plan × 2⁴⁰ (files up to 1 TiB). */
export const ORDER_PER_FILE = 2 ** 40;

const NDJSON_SUFFIXES = ['.ndjson', '.jsonl', '.ndjson.gz', '.jsonl.gz'] as const;
const JSON_SUFFIX = '.json';
/** The FHIR Bulk Data export manifest (the body of the completed status request, saved beside the files). */
export const BULK_MANIFEST_FILE_NAME = 'manifest.json';

/**
 * Types read first. The SDK does not need any order (data-model.md: input may arrive in any order), but seeing the
 * Organizations and Patients before the bulk of Encounters and AuditEvents lets it resolve references as they come
 * and free memory early instead of holding unresolved records to the end.
 */
const TYPES_READ_FIRST = ['Organization', 'Patient'] as const;

/**
 * Turns the input paths into the ordered list of files to read: files as given; for a directory, the files its bulk
 * `manifest.json` lists when there is one, else every `.ndjson`/`.jsonl` (gzip too) and `.json` file in it (not
 * recursively: a bulk export is flat). Ordered Organization, then Patient, then the rest by type and name.
 *
 * An invalid manifest (the directory's files are then read as without one), a file it lists that is missing,
 * a file of a directory that cannot be read (a broken symbolic link), or an export whose error file reports
 * errors is not thrown: it is in `incomplete`, and the other files are read (`esms compute` shows what they
 * give; a run that seals refuses them).
 *
 * @throws InputUnreadableError for a path given that does not exist or cannot be read, or a file of an unknown
 *   kind given explicitly: usage or configuration mistakes.
 */
export async function planFiles(paths: readonly string[]): Promise<FilePlan> {
  const files: Omit<PlannedFile, 'index'>[] = [];
  const problems: SourceProblem[] = [];
  const incomplete: InputIncomplete[] = [];
  for (const inputPath of paths) {
    const info = await statOrThrow(inputPath);
    if (info.isDirectory()) {
      const planned = await planDirectory(inputPath);
      files.push(...planned.files);
      problems.push(...planned.problems);
      incomplete.push(...planned.incomplete);
    } else {
      const format = formatOf(inputPath);
      if (format === undefined) {
        throw new InputUnreadableError(
          inputPath,
          'not an NDJSON (.ndjson, .jsonl, optionally .gz) or JSON (.json) file',
        );
      }
      files.push({ path: inputPath, format, resourceType: typeFromFileName(inputPath, format) });
    }
  }
  files.sort(compareFiles);
  return { files: files.map((file, index) => ({ ...file, index })), problems, incomplete };
}

type Planned = Omit<FilePlan, 'files'> & { files: Omit<PlannedFile, 'index'>[] };

async function planDirectory(directory: string): Promise<Planned> {
  let names: string[];
  try {
    names = await readdir(directory);
  } catch (error) {
    throw new InputUnreadableError(directory, describeFsError(error), { cause: error });
  }
  if (names.includes(BULK_MANIFEST_FILE_NAME)) return planFromManifest(directory, names);
  return planListing(directory, names);
}

/**
 * Every NDJSON and JSON file of a directory. One that cannot be read (a broken symbolic link, a permission
 * problem) is an incomplete input naming it, and the others are read: the directory was named, not each
 * file, so it is the input that is incomplete, not the configuration that is wrong.
 */
async function planListing(directory: string, names: readonly string[]): Promise<Planned> {
  const files: Omit<PlannedFile, 'index'>[] = [];
  const incomplete: InputIncomplete[] = [];
  for (const name of names) {
    if (name.startsWith('.')) continue;
    const format = formatOf(name);
    if (format === undefined) continue;
    const filePath = path.join(directory, name);
    let info: Stats;
    try {
      info = await stat(filePath);
    } catch (error) {
      incomplete.push({
        input: filePath,
        reason: 'unreadable',
        detail: `cannot be read (${describeFsError(error)}): none of its records were read`,
        read: { bytes: 0 },
      });
      continue;
    }
    if (!info.isFile()) continue;
    files.push({ path: filePath, format, resourceType: typeFromFileName(name, format) });
  }
  return { files, problems: [], incomplete };
}

/** The parts of a bulk manifest we use (FHIR Bulk Data Access, "Response - Complete Status"). */
interface ManifestFileEntry {
  type?: unknown;
  url?: unknown;
  count?: unknown;
}

async function planFromManifest(directory: string, listing: readonly string[]): Promise<Planned> {
  const names = new Set(listing);
  const manifestPath = path.join(directory, BULK_MANIFEST_FILE_NAME);
  // Which files the export holds is not known: the directory's files are read as without a manifest (for
  // `esms compute` to show what they give), and the manifest is an incomplete input (a run refuses it).
  const invalid = async (detail: string): Promise<Planned> => {
    const listed = await planListing(directory, listing);
    return {
      ...listed,
      incomplete: [
        {
          input: manifestPath,
          reason: 'manifest-invalid',
          detail: `${detail}: the directory's files were read as if it had none`,
          read: {},
        },
        ...listed.incomplete,
      ],
    };
  };
  let manifest: unknown;
  try {
    manifest = JSON.parse(stripBom(await readFile(manifestPath, 'utf8')));
  } catch (error) {
    return invalid(
      error instanceof SyntaxError ? 'the bulk manifest is not valid JSON' : describeFsError(error),
    );
  }
  if (
    typeof manifest !== 'object' ||
    manifest === null ||
    !Array.isArray((manifest as { output?: unknown }).output)
  ) {
    return invalid('the bulk manifest has no "output" array');
  }
  const { output, error: errorEntries } = manifest as { output: unknown[]; error?: unknown };
  const files: Omit<PlannedFile, 'index'>[] = [];
  const incomplete: InputIncomplete[] = [];
  for (const [index, entry] of output.entries()) {
    const listed = localFileFor(
      directory,
      names,
      entry as ManifestFileEntry,
      manifestPath,
      `output[${index}]`,
    );
    if (!('path' in listed)) {
      incomplete.push(listed);
      continue;
    }
    const { type: declaredType, count } = entry as ManifestFileEntry;
    const format = formatOf(listed.path) ?? 'ndjson';
    files.push({
      path: listed.path,
      format,
      resourceType: typeof declaredType === 'string' ? declaredType : typeFromFileName(listed.path, format),
      // A count that is not a whole number says nothing: it is not checked.
      ...(format === 'ndjson' && Number.isSafeInteger(count) && (count as number) >= 0
        ? { declaredCount: count as number }
        : {}),
    });
  }
  // The export's error files hold OperationOutcomes about what the server could not export: not records, but
  // when they report errors the input is incomplete, and that must not go unnoticed.
  const problems: SourceProblem[] = [];
  if (Array.isArray(errorEntries)) {
    for (const [index, entry] of errorEntries.entries()) {
      const listed = localFileFor(
        directory,
        names,
        entry as ManifestFileEntry,
        manifestPath,
        `error[${index}]`,
      );
      if (!('path' in listed)) {
        incomplete.push(listed);
        continue;
      }
      const verdict = await exportErrors(listed.path);
      if (verdict === 'errors') {
        incomplete.push({
          input: listed.path,
          reason: 'export-errors',
          detail: 'the bulk export reports errors in this file: some records were not exported',
          read: {},
        });
      } else if (verdict === 'warnings') {
        problems.push({ location: listed.path, reason: 'the bulk export reports warnings in this file' });
      }
    }
  }
  return { files, problems, incomplete };
}

/** Error files larger than this are not parsed: they are taken as reporting errors. */
const MAX_ERROR_FILE_BYTES = 8 * 1024 * 1024;

/**
 * What a bulk export's error file reports: `errors` when an OperationOutcome issue has severity `fatal` or
 * `error` (or the file cannot be read or parsed: nothing says it holds none), `warnings` for warnings and
 * information only, `none` when it is empty.
 */
async function exportErrors(filePath: string): Promise<'errors' | 'warnings' | 'none'> {
  let text: string;
  try {
    const info = await stat(filePath);
    if (info.size === 0) return 'none';
    if (info.size > MAX_ERROR_FILE_BYTES) return 'errors';
    text = await readFile(filePath, 'utf8');
  } catch {
    return 'errors';
  }
  let issues = 0;
  for (const line of stripBom(text).split('\n')) {
    if (line.trim() === '') continue;
    let outcome: unknown;
    try {
      outcome = JSON.parse(line);
    } catch {
      return 'errors';
    }
    const list = (outcome as { issue?: unknown } | null)?.issue;
    if (!Array.isArray(list)) return 'errors';
    for (const issue of list as { severity?: unknown }[]) {
      issues += 1;
      if (issue?.severity !== 'warning' && issue?.severity !== 'information') return 'errors';
    }
  }
  return issues === 0 ? 'none' : 'warnings';
}

/**
 * A manifest `url` is where the server offered the file. Saved exports keep the files beside the manifest, so a
 * relative url is taken relative to the directory and an absolute one by its last path segment (the file name).
 * An entry that names no file of the directory, or one that is missing, is an incomplete input.
 */
function localFileFor(
  directory: string,
  names: ReadonlySet<string>,
  entry: ManifestFileEntry,
  manifestPath: string,
  key: string,
): { path: string } | InputIncomplete {
  const invalid = (detail: string): InputIncomplete => ({
    input: manifestPath,
    reason: 'manifest-invalid',
    detail,
    read: {},
  });
  if (typeof entry !== 'object' || entry === null || typeof entry.url !== 'string' || entry.url === '') {
    return invalid(`the bulk manifest's ${key} has no url`);
  }
  let relative: string;
  try {
    if (/^[a-z][a-z0-9+.-]*:/i.test(entry.url)) {
      const segments = new URL(entry.url).pathname.split('/');
      relative = decodeURIComponent(segments[segments.length - 1] ?? '');
    } else {
      relative = decodeURIComponent(entry.url.split(/[?#]/)[0] ?? '');
    }
  } catch {
    return invalid(`the bulk manifest's ${key} url is not a valid URL`);
  }
  const candidate = path.resolve(directory, relative);
  const inside = path.relative(path.resolve(directory), candidate);
  if (relative === '' || inside.startsWith('..') || path.isAbsolute(inside)) {
    return invalid(`the bulk manifest's ${key} does not name a file in the directory`);
  }
  // A saved export is sometimes compressed after the fact: accept `X.ndjson.gz` for `X.ndjson`.
  if (!inside.includes(path.sep) && !names.has(inside) && names.has(`${inside}.gz`))
    return { path: `${candidate}.gz` };
  if (!inside.includes(path.sep) && !names.has(inside)) {
    return {
      input: path.join(directory, inside),
      reason: 'listed-file-missing',
      detail: `listed in the bulk manifest (${key}) but missing: none of its records were read`,
      read: { lines: 0, bytes: 0 },
    };
  }
  return { path: candidate };
}

function formatOf(fileName: string): PlannedFile['format'] | undefined {
  const lower = fileName.toLowerCase();
  if (NDJSON_SUFFIXES.some((suffix) => lower.endsWith(suffix))) return 'ndjson';
  if (lower.endsWith(JSON_SUFFIX) && path.basename(lower) !== BULK_MANIFEST_FILE_NAME) return 'json';
  return undefined;
}

/** Bulk export files are named `<Type>.<n>.ndjson` (or `<Type>.ndjson`): the type is the name up to the first dot. */
function typeFromFileName(filePath: string, format: PlannedFile['format']): string | undefined {
  if (format !== 'ndjson') return undefined;
  const base = path.basename(filePath);
  const type = base.slice(0, base.indexOf('.'));
  return type === '' ? undefined : type;
}

function rankOf(file: Omit<PlannedFile, 'index'>): number {
  const index = TYPES_READ_FIRST.indexOf(file.resourceType as (typeof TYPES_READ_FIRST)[number]);
  return index === -1 ? TYPES_READ_FIRST.length : index;
}

function compareFiles(a: Omit<PlannedFile, 'index'>, b: Omit<PlannedFile, 'index'>): number {
  return (
    rankOf(a) - rankOf(b) ||
    compareText(path.basename(a.path), path.basename(b.path)) ||
    compareText(a.path, b.path)
  );
}

/** Code-unit order, not locale order: the same on every machine. */
function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

async function statOrThrow(filePath: string): Promise<Stats> {
  try {
    return await stat(filePath);
  } catch (error) {
    throw new InputUnreadableError(filePath, describeFsError(error), { cause: error });
  }
}

function describeFsError(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ENOENT') return 'no such file or directory';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  if (code !== undefined) return code;
  return error instanceof Error ? error.message : 'unreadable';
}

export function stripBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}
