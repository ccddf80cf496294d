import type { KeyObject } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { locateBlob, readBlob } from '../blobs.js';
import { canonicalJson } from '../canonical-json.js';
import type { Digest } from '../canonical-json.js';
import { decodeColumnar } from '../projection-codec.js';
import { GENESIS_HASH, JOURNAL_FILE, computeEntryHash, signEntryHash } from '../journal.js';
import type { JournalEntry } from '../journal.js';

export async function readEntries(dir: string): Promise<JournalEntry[]> {
  const text = await readFile(join(dir, JOURNAL_FILE), 'utf8');
  return text
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as JournalEntry);
}

export async function writeLines(dir: string, entries: readonly JournalEntry[]): Promise<void> {
  await writeFile(join(dir, JOURNAL_FILE), entries.map((e) => `${canonicalJson(e)}\n`).join(''));
}

/**
 * What an attacker holding the private key can do: change entries, then re-hash, re-link and re-sign
 * the whole journal so that every digest, link and signature holds again.
 */
export async function rewriteAndResign(
  dir: string,
  key: KeyObject,
  mutate: (entries: JournalEntry[]) => JournalEntry[] | void,
): Promise<void> {
  const entries = await readEntries(dir);
  const changed = mutate(entries) ?? entries;
  let prevHash = GENESIS_HASH;
  const resigned = changed.map((entry, index) => {
    const unsigned = { seq: index + 1, type: entry.type, time: entry.time, prevHash, payload: entry.payload };
    const hash = computeEntryHash(unsigned);
    prevHash = hash;
    return { ...unsigned, hash, signature: signEntryHash(hash, key) };
  });
  await writeLines(dir, resigned);
}

/** The bytes of a blob as sealed (decompressed when the store keeps it compressed). */
export async function readBlobBytes(dir: string, digest: Digest): Promise<Buffer> {
  return readBlob(dir, digest, Number.MAX_SAFE_INTEGER);
}

/** Replaces what a blob file holds (in the form the store keeps it), keeping its name: a tampered blob. */
export async function overwriteBlob(dir: string, digest: Digest, bytes: Uint8Array): Promise<void> {
  const location = await locateBlob(dir, digest);
  if (location === null) throw new Error(`no blob ${digest}`);
  await writeFile(location.path, location.compressed ? gzipSync(bytes) : bytes);
}

/** The facts of a sealed projection, decoded whatever its encoding. */
export async function readProjectionFacts(
  dir: string,
  projection: unknown,
): Promise<Record<string, unknown>[]> {
  const { digest, encoding } = projection as { digest: Digest; encoding?: string };
  const text = (await readBlobBytes(dir, digest)).toString('utf8');
  const lines = text.split('\n').filter((line) => line !== '');
  if (encoding === undefined || encoding === 'ndjson')
    return lines.map((line) => JSON.parse(line) as Record<string, unknown>);
  const facts: Record<string, unknown>[] = [];
  async function* source(): AsyncGenerator<string> {
    await Promise.resolve();
    yield* lines;
  }
  for await (const fact of decodeColumnar(source())) facts.push({ ...fact });
  return facts;
}

/**
 * Rewrites a run into what esms 0.1 sealed: its submission in the `run-sealed` entry itself (no
 * `submission-sealed` entry after it). Use inside `rewriteAndResign`.
 */
export function asLegacyRun(entries: JournalEntry[], runIndex: number): JournalEntry[] {
  const run = entries[runIndex];
  const next = entries[runIndex + 1];
  if (run === undefined || next?.type !== 'submission-sealed')
    throw new Error('no run with its sealed submission there');
  run.payload = { ...run.payload, submission: next.payload['submission'] };
  return entries.filter((_, index) => index !== runIndex + 1);
}
