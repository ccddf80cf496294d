/**
 * An evidence bundle (`esms export-evidence`) holds exactly one store, at one documented place, with its
 * MANIFEST.txt: anything else in the archive is refused, and any contradiction between the MANIFEST (what
 * an auditor compares with the signed report) and the journal is a failure.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { normaliseFingerprint } from './keys.js';
import { extractTarFile } from './tar.js';

/** The one directory of a bundle: every member is under it. */
export const BUNDLE_ROOT = 'esms-evidence';
export const MANIFEST_FILE = 'MANIFEST.txt';

const FILE_PATTERNS: readonly RegExp[] = [
  /^esms-evidence\/MANIFEST\.txt$/,
  /^esms-evidence\/journal\.ndjson$/,
  /^esms-evidence\/evidence-key\.pub\.pem$/,
  /^esms-evidence\/blobs\/sha256\/([0-9a-f]{2})\/\1[0-9a-f]{62}(\.gz)?$/,
  /^esms-evidence\/timestamps\/[0-9a-f]{64}\.tsr$/,
];
const DIRECTORY_PATTERN = /^esms-evidence(\/blobs(\/sha256(\/[0-9a-f]{2})?)?|\/timestamps)?\/?$/;
const REQUIRED = [
  'esms-evidence/MANIFEST.txt',
  'esms-evidence/journal.ndjson',
  'esms-evidence/evidence-key.pub.pem',
];

export type OpenedBundle = { ok: true; root: string } | { ok: false; message: string };

/** Extracts a bundle into `temporaryDir` and checks that it is one store at `esms-evidence/`. */
export async function openBundle(
  path: string,
  temporaryDir: string,
  options: { maxExtractBytes?: number } = {},
): Promise<OpenedBundle> {
  const directories: string[] = [];
  let files: string[];
  try {
    files = await extractTarFile(path, temporaryDir, {
      ...(options.maxExtractBytes === undefined ? {} : { maxBytes: options.maxExtractBytes }),
      onDirectory: (name) => directories.push(name),
    });
  } catch (error) {
    return {
      ok: false,
      message: `${path} is not a readable evidence bundle: ${error instanceof Error ? error.message : String(error)}`,
    };
  }
  const normalised = files.map((name) => name.replace(/^\.\//, ''));
  const stray = [
    ...normalised.filter((name) => !FILE_PATTERNS.some((pattern) => pattern.test(name))),
    ...directories
      .map((d) => d.replace(/^\.\//, ''))
      .filter((d) => d !== '' && d !== '.' && !DIRECTORY_PATTERN.test(d)),
  ];
  if (stray.length > 0) {
    const shown = stray.slice(0, 3).join(', ') + (stray.length > 3 ? ` and ${stray.length - 3} more` : '');
    return {
      ok: false,
      message:
        `${path} holds ${shown} besides the one store a bundle has (${BUNDLE_ROOT}/: ${MANIFEST_FILE}, journal.ndjson, ` +
        'evidence-key.pub.pem, blobs/sha256/…, timestamps/…): refused, a bundle must not hold a second store or anything else',
    };
  }
  const missing = REQUIRED.filter((name) => !normalised.includes(name));
  if (missing.length > 0) {
    return { ok: false, message: `${path} is not an evidence bundle: ${missing.join(', ')} missing` };
  }
  return { ok: true, root: join(temporaryDir, BUNDLE_ROOT) };
}

/** What a MANIFEST states about the store it comes with. */
export interface ManifestFacts {
  fingerprint: string;
  entries: number;
  runs: number;
  lastSeq: number | null;
  lastHash: string | null;
  blobs: number;
}

/** Reads the labelled lines of a MANIFEST.txt; every one of them must be there. */
export async function readManifest(root: string): Promise<{ facts: ManifestFacts } | { problem: string }> {
  let text: string;
  try {
    text = await readFile(join(root, MANIFEST_FILE), 'utf8');
  } catch (error) {
    return { problem: `${MANIFEST_FILE} cannot be read: ${String(error)}` };
  }
  const structure = manifestStructureProblem(text);
  if (structure !== null) return { problem: `${MANIFEST_FILE}: ${structure}` };
  const line = (label: string): string | null =>
    new RegExp(`^${label} {2,}(.+)$`, 'm').exec(text)?.[1]?.trim() ?? null;
  const fingerprint = line('Key fingerprint');
  const entries = /^(\d+) \((\d+) sealed runs\), last seq (\d+|-)$/.exec(line('Entries') ?? '');
  const lastHash = line('Last entry hash');
  const blobs = /^(\d+)$/.exec(line('Blobs') ?? '');
  if (fingerprint === null || entries === null || lastHash === null || blobs === null) {
    return {
      problem: `${MANIFEST_FILE} lacks one of its lines "Key fingerprint", "Entries", "Last entry hash", "Blobs" (or one is malformed)`,
    };
  }
  if (lastHash !== '-' && !/^[0-9a-f]{64}$/.test(lastHash)) {
    return { problem: `${MANIFEST_FILE}: "Last entry hash" is not a SHA-256 hash` };
  }
  return {
    facts: {
      fingerprint,
      entries: Number(entries[1]),
      runs: Number(entries[2]),
      lastSeq: entries[3] === '-' ? null : Number(entries[3]),
      lastHash: lastHash === '-' ? null : lastHash,
      blobs: Number(blobs[1]),
    },
  };
}

/** The labelled lines `esms export-evidence` writes (`Label   value`, at the start of a line). */
const MANIFEST_LABELS: readonly string[] = [
  'Exported at',
  'Exported by',
  'Key fingerprint',
  'Entries',
  'Last entry hash',
  'Blobs',
];
const FIELD_LINE = /^(\S.*?) {2,}\S/;

/**
 * The MANIFEST is not signed, so a reader must not be able to see another value than the one checked: a
 * labelled line given twice (the second copy would never be compared), a labelled line of an unknown
 * label, or a line that starts with a label's name without being that field (`Last entry hash: …`,
 * indented) is refused. The prose around the fields is free.
 */
function manifestStructureProblem(text: string): string | null {
  const seen = new Set<string>();
  for (const [index, raw] of text.split('\n').entries()) {
    const lineNumber = index + 1;
    const field = FIELD_LINE.exec(raw);
    if (field !== null) {
      const label = field[1] ?? '';
      if (!MANIFEST_LABELS.includes(label)) {
        return `line ${lineNumber} is a labelled line of an unknown field ("${label.slice(0, 40)}"): refused, the MANIFEST is not signed`;
      }
      if (seen.has(label)) {
        return `"${label}" is given twice (line ${lineNumber}): refused, only one copy could be checked`;
      }
      seen.add(label);
      continue;
    }
    const trimmed = raw.trimStart();
    const lookalike = MANIFEST_LABELS.find(
      (label) => trimmed.startsWith(label) && !/^[\p{L}\p{N}]/u.test(trimmed.slice(label.length)),
    );
    if (lookalike !== undefined) {
      return `line ${lineNumber} looks like the field "${lookalike}" but is not written as it: refused, the MANIFEST is not signed`;
    }
  }
  return null;
}

/** Every contradiction between a MANIFEST and the store it came with, worded for an auditor. */
export function manifestContradictions(
  manifest: ManifestFacts,
  store: ManifestFacts & { fingerprint: string | null },
): string[] {
  const messages: string[] = [];
  const differ = (what: string, said: string | number | null, found: string | number | null): void => {
    messages.push(
      `the MANIFEST says ${what} ${String(said ?? '-')}, the journal has ${String(found ?? '-')}`,
    );
  };
  if (
    store.fingerprint === null ||
    normaliseFingerprint(manifest.fingerprint) !== normaliseFingerprint(store.fingerprint)
  )
    differ('key fingerprint', manifest.fingerprint, store.fingerprint);
  if (manifest.entries !== store.entries) differ('entries', manifest.entries, store.entries);
  if (manifest.runs !== store.runs) differ('sealed runs', manifest.runs, store.runs);
  if (manifest.lastSeq !== store.lastSeq) differ('last seq', manifest.lastSeq, store.lastSeq);
  if (manifest.lastHash !== store.lastHash) differ('last entry hash', manifest.lastHash, store.lastHash);
  if (manifest.blobs !== store.blobs)
    messages.push(`the MANIFEST says ${manifest.blobs} blobs, the bundle holds ${store.blobs}`);
  return messages;
}
