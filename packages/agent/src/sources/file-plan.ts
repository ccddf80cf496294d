import type { Stats } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { InputUnreadableError } from './input-unreadable-error.js';
import type { SourceProblem } from './source.js';

/** One file to read, in the order of the plan. */
export interface PlannedFile {
  /** Path to open. */
  path: string;
  /** `ndjson` for one resource per line (gzip or not), `json` for a whole Bundle or resource. */
  format: 'ndjson' | 'json';
  /** The resource type the file holds, when its name or the bulk manifest says; orders the files. */
  resourceType: string | undefined;
}

export interface FilePlan {
  files: PlannedFile[];
  /** Things the input itself reports as missing (a bulk export's error files). */
  problems: SourceProblem[];
}

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
 * @throws InputUnreadableError for a path that does not exist or cannot be read, a file of an unknown kind given
 *   explicitly, an invalid manifest, or a manifest entry whose file is missing.
 */
export async function planFiles(paths: readonly string[]): Promise<FilePlan> {
  const files: PlannedFile[] = [];
  const problems: SourceProblem[] = [];
  for (const inputPath of paths) {
    const info = await statOrThrow(inputPath);
    if (info.isDirectory()) {
      const planned = await planDirectory(inputPath);
      files.push(...planned.files);
      problems.push(...planned.problems);
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
  return { files, problems };
}

async function planDirectory(directory: string): Promise<FilePlan> {
  let names: string[];
  try {
    names = await readdir(directory);
  } catch (error) {
    throw new InputUnreadableError(directory, describeFsError(error), { cause: error });
  }
  if (names.includes(BULK_MANIFEST_FILE_NAME)) return planFromManifest(directory, new Set(names));
  const files: PlannedFile[] = [];
  for (const name of names) {
    if (name.startsWith('.')) continue;
    const format = formatOf(name);
    if (format === undefined) continue;
    const filePath = path.join(directory, name);
    const info = await statOrThrow(filePath);
    if (!info.isFile()) continue;
    files.push({ path: filePath, format, resourceType: typeFromFileName(name, format) });
  }
  return { files, problems: [] };
}

/** The parts of a bulk manifest we use (FHIR Bulk Data Access, "Response - Complete Status"). */
interface ManifestFileEntry {
  type?: unknown;
  url?: unknown;
}

async function planFromManifest(directory: string, names: ReadonlySet<string>): Promise<FilePlan> {
  const manifestPath = path.join(directory, BULK_MANIFEST_FILE_NAME);
  let manifest: unknown;
  try {
    manifest = JSON.parse(stripBom(await readFile(manifestPath, 'utf8')));
  } catch (error) {
    const reason =
      error instanceof SyntaxError ? 'the bulk manifest is not valid JSON' : describeFsError(error);
    throw new InputUnreadableError(manifestPath, reason, { cause: error });
  }
  if (
    typeof manifest !== 'object' ||
    manifest === null ||
    !Array.isArray((manifest as { output?: unknown }).output)
  ) {
    throw new InputUnreadableError(manifestPath, 'the bulk manifest has no "output" array');
  }
  const { output, error: errorEntries } = manifest as { output: unknown[]; error?: unknown };
  const files: PlannedFile[] = [];
  for (const [index, entry] of output.entries()) {
    const filePath = localFileFor(
      directory,
      names,
      entry as ManifestFileEntry,
      manifestPath,
      `output[${index}]`,
    );
    const declaredType = (entry as ManifestFileEntry).type;
    const format = formatOf(filePath) ?? 'ndjson';
    files.push({
      path: filePath,
      format,
      resourceType: typeof declaredType === 'string' ? declaredType : typeFromFileName(filePath, format),
    });
  }
  // The export's error files hold OperationOutcomes about what the server could not export: not records, but the
  // input is incomplete, and that must not go unnoticed.
  const problems: SourceProblem[] = [];
  if (Array.isArray(errorEntries)) {
    for (const [index, entry] of errorEntries.entries()) {
      const filePath = localFileFor(
        directory,
        names,
        entry as ManifestFileEntry,
        manifestPath,
        `error[${index}]`,
      );
      const info = await statOrThrow(filePath);
      if (info.size > 0) {
        problems.push({
          location: filePath,
          reason: 'the bulk export reports errors in this file: some records may be missing',
        });
      }
    }
  }
  return { files, problems };
}

/**
 * A manifest `url` is where the server offered the file. Saved exports keep the files beside the manifest, so a
 * relative url is taken relative to the directory and an absolute one by its last path segment (the file name).
 */
function localFileFor(
  directory: string,
  names: ReadonlySet<string>,
  entry: ManifestFileEntry,
  manifestPath: string,
  key: string,
): string {
  if (typeof entry !== 'object' || entry === null || typeof entry.url !== 'string' || entry.url === '') {
    throw new InputUnreadableError(manifestPath, `the bulk manifest's ${key} has no url`);
  }
  let relative: string;
  if (/^[a-z][a-z0-9+.-]*:/i.test(entry.url)) {
    const segments = new URL(entry.url).pathname.split('/');
    relative = decodeURIComponent(segments[segments.length - 1] ?? '');
  } else {
    relative = decodeURIComponent(entry.url.split(/[?#]/)[0] ?? '');
  }
  const candidate = path.resolve(directory, relative);
  const inside = path.relative(path.resolve(directory), candidate);
  if (relative === '' || inside.startsWith('..') || path.isAbsolute(inside)) {
    throw new InputUnreadableError(
      manifestPath,
      `the bulk manifest's ${key} does not name a file in the directory`,
    );
  }
  // A saved export is sometimes compressed after the fact: accept `X.ndjson.gz` for `X.ndjson`.
  if (!inside.includes(path.sep) && !names.has(inside) && names.has(`${inside}.gz`)) return `${candidate}.gz`;
  if (!inside.includes(path.sep) && !names.has(inside)) {
    throw new InputUnreadableError(
      path.join(directory, inside),
      `listed in the bulk manifest (${key}) but missing`,
    );
  }
  return candidate;
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

function rankOf(file: PlannedFile): number {
  const index = TYPES_READ_FIRST.indexOf(file.resourceType as (typeof TYPES_READ_FIRST)[number]);
  return index === -1 ? TYPES_READ_FIRST.length : index;
}

function compareFiles(a: PlannedFile, b: PlannedFile): number {
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
