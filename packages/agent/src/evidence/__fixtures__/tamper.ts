import type { KeyObject } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { canonicalJson } from '../canonical-json.js';
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
