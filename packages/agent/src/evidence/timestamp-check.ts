/**
 * `esms verify` on the RFC 3161 timestamps of a store: each token must stamp the entry it is kept for;
 * with the TSA's CA certificate (`--tsa-ca FILE`), its signature and certificate chain are checked too, at
 * the token's own time. A token kept for a hash that is no entry of the journal shows entries removed.
 */
import { readFile } from 'node:fs/promises';
import { canonicalJson } from './canonical-json.js';
import type { JournalEntry } from './journal.js';
import { listTimestamps, timestampPath } from './timestamp-files.js';
import type * as TimestampToken from './timestamp-token.js';
import type { AddFinding } from './verify-run.js';

export async function checkTimestamps(
  dir: string,
  entries: readonly JournalEntry[],
  options: { tsaCaPem?: string; add: AddFinding },
): Promise<{ tokens: number; verified: number; entriesWithout: number }> {
  const { add } = options;
  const { hashes, stray } = await listTimestamps(dir);
  for (const name of stray) add(null, 'timestamp', 'error', `unexpected file in timestamps/: ${name}`);
  // The ASN.1 code (pkijs, asn1js: a fair part of `esms verify`'s start-up) is loaded only for a store
  // that has tokens, or a TSA certificate to read: most stores have neither.
  if (hashes.length === 0 && options.tsaCaPem === undefined) {
    return { tokens: 0, verified: 0, entriesWithout: 0 };
  }
  const { certificatesFromPem, readTimestamp, verifyTimestamp }: typeof TimestampToken =
    await import('./timestamp-token.js');
  let trusted: ReturnType<typeof certificatesFromPem> | null = null;
  if (options.tsaCaPem !== undefined) {
    try {
      trusted = certificatesFromPem(options.tsaCaPem);
      if (trusted.length === 0) throw new Error('no certificate in it');
    } catch (error) {
      add(
        null,
        'timestamp',
        'error',
        `the TSA certificate given is not readable: ${error instanceof Error ? error.message : String(error)}`,
      );
      trusted = null;
    }
  }
  const byHash = new Map(entries.map((entry) => [entry.hash, entry]));
  let verified = 0;
  for (const hash of hashes) {
    const entry = byHash.get(hash);
    if (entry === undefined) {
      add(
        null,
        'timestamp',
        'error',
        `a timestamp token is kept for entry hash ${hash}, which is no entry of this journal: entries were removed or rewritten`,
      );
      continue;
    }
    let der: Buffer;
    try {
      der = await readFile(timestampPath(dir, hash));
    } catch (error) {
      add(
        entry.seq,
        'timestamp',
        'error',
        `entry seq ${entry.seq}: its timestamp token cannot be read: ${String(error)}`,
      );
      continue;
    }
    let imprint: string;
    try {
      imprint = readTimestamp(der).imprint;
    } catch (error) {
      add(
        entry.seq,
        'timestamp',
        'error',
        `entry seq ${entry.seq}: its timestamp token is unreadable: ${error instanceof Error ? error.message : String(error)}`,
      );
      continue;
    }
    if (imprint !== entry.hash) {
      add(
        entry.seq,
        'timestamp',
        'error',
        `entry seq ${entry.seq}: its timestamp token stamps another hash (${imprint})`,
      );
      continue;
    }
    if (trusted === null) continue;
    const { seq, type, time, prevHash, payload } = entry;
    const verdict = await verifyTimestamp(
      der,
      Buffer.from(canonicalJson({ seq, type, time, prevHash, payload })),
      trusted,
    );
    if (verdict.ok) verified += 1;
    else
      add(
        entry.seq,
        'timestamp',
        'error',
        `entry seq ${entry.seq}: its timestamp token does not verify: ${verdict.problem}`,
      );
  }
  const stamped = new Set(hashes);
  const without = entries.filter((entry) => !stamped.has(entry.hash));
  if (hashes.length > 0 || trusted !== null) {
    if (without.length > 0) {
      add(
        null,
        'timestamp',
        'warning',
        `${without.length} entries have no timestamp token (seq ${without
          .map((e) => e.seq)
          .slice(0, 10)
          .join(', ')}${without.length > 10 ? ', …' : ''}): ` +
          'sealed before a TSA was configured, or while it could not be reached',
      );
    }
    if (hashes.length > 0 && trusted === null) {
      add(
        null,
        'timestamp',
        'info',
        `${hashes.length} entries carry an RFC 3161 timestamp, each for its own hash; their signatures were not checked (give the TSA's CA certificate: --tsa-ca FILE)`,
      );
    }
  }
  return {
    tokens: hashes.length,
    verified,
    entriesWithout: hashes.length > 0 || trusted !== null ? without.length : 0,
  };
}
