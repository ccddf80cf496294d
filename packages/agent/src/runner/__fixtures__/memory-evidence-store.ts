import { Readable } from 'node:stream';
import { gunzipSync } from 'node:zlib';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { toDigest } from '../../evidence/canonical-json.js';
import type { BlobInfo, BlobWriter } from '../../evidence/blobs.js';
import {
  computeEntryHash,
  FIRST_SEQ,
  GENESIS_HASH,
  signEntryHash,
  type JournalEntry,
} from '../../evidence/journal.js';
import type { EvidenceStore } from '../../evidence/store.js';
import { sha256Hex } from '../../shared/sha256-hex.js';

/** An evidence store held in memory (a test's), to show that a run writes only through the interface. */
export interface MemoryEvidenceStore extends EvidenceStore {
  blobs: Map<string, Buffer>;
  journal: JournalEntry[];
}

export function memoryEvidenceStore(now: () => Date): MemoryEvidenceStore {
  const { privateKey } = generateKeyPairSync('ed25519');
  const blobs = new Map<string, Buffer>();
  const journal: JournalEntry[] = [];
  const put = (data: Buffer): BlobInfo => {
    const digest = toDigest(sha256Hex(data));
    blobs.set(digest, data);
    return { digest, bytes: data.length };
  };
  return {
    location: 'memory',
    pseudonymSecret: randomBytes(32),
    blobs,
    journal,
    putBlob: (data) => Promise.resolve(put(Buffer.from(data))),
    createBlobWriter(): BlobWriter {
      const chunks: Buffer[] = [];
      return {
        write: (chunk) => void chunks.push(Buffer.from(chunk)),
        writeGzipMembers: (members) => void chunks.push(...members.map((m) => gunzipSync(m))),
        replay: () => Readable.from([Buffer.concat(chunks)]),
        finish: () => Promise.resolve(put(Buffer.concat(chunks))),
        abort: () => Promise.resolve(),
      };
    },
    append({ type, payload }) {
      const last = journal.at(-1);
      const unsigned = {
        seq: last === undefined ? FIRST_SEQ : last.seq + 1,
        type,
        time: now().toISOString(),
        prevHash: last?.hash ?? GENESIS_HASH,
        payload,
      };
      const hash = computeEntryHash(unsigned);
      const entry = { ...unsigned, hash, signature: signEntryHash(hash, privateKey) };
      journal.push(entry);
      return Promise.resolve(entry);
    },
    entries: () => Promise.resolve([...journal]),
  };
}
