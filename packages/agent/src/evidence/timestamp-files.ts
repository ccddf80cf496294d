import { readdir } from 'node:fs/promises';
import { join } from 'node:path';

/** Where a store keeps the RFC 3161 tokens of its entries: `timestamps/<entry hash>.tsr` (DER responses). */
export const TIMESTAMPS_DIR = 'timestamps';
export const TIMESTAMP_SUFFIX = '.tsr';

export function timestampPath(storeDir: string, entryHash: string): string {
  return join(storeDir, TIMESTAMPS_DIR, `${entryHash}${TIMESTAMP_SUFFIX}`);
}

/** The entry hashes that have a token file (and any other file found there, as `stray`). */
export async function listTimestamps(storeDir: string): Promise<{ hashes: string[]; stray: string[] }> {
  let names: string[];
  try {
    names = await readdir(join(storeDir, TIMESTAMPS_DIR));
  } catch {
    return { hashes: [], stray: [] };
  }
  const hashes: string[] = [];
  const stray: string[] = [];
  for (const name of names.sort()) {
    const match = /^([0-9a-f]{64})\.tsr$/.exec(name);
    if (match?.[1] !== undefined) hashes.push(match[1]);
    else if (!name.endsWith('.tmp')) stray.push(name);
  }
  return { hashes, stray };
}
