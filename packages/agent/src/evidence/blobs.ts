import { createHash } from 'node:crypto';
import type { Hash } from 'node:crypto';
import { closeSync, createReadStream, fsyncSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { mkdir, readdir, rename, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { createGunzip, gunzipSync, gzipSync } from 'node:zlib';
import { toDigest } from './canonical-json.js';
import type { Digest } from './canonical-json.js';
import { fsyncDirectory } from '../durable-fs.js';
import { EvidenceIoError } from './errors.js';
import { exists } from '../shared/exists.js';
import { temporaryBlobPath } from './temporary-blobs.js';

export const BLOBS_DIR = 'blobs';
/**
 * Bytes gathered before they are compressed and written: bounds memory however large the blob grows.
 * Each chunk is one gzip member (a gzip file may hold several, and every reader joins them); gzip's
 * window is 32 KiB, so cutting every MiB costs almost nothing in size.
 */
export const BLOB_WRITE_BUFFER_BYTES = 1024 * 1024;
/**
 * gzip level of stored blobs. On the columnar projection of a run at size L (issue 13) level 4 takes less
 * than half the CPU time of zlib's default 6 for 4 % more bytes (29.7 MB instead of 28.5 MB).
 */
export const BLOB_GZIP_LEVEL = 4;
/** Suffix of a compressed blob file. A file without it is a blob stored whole (stores before 0.2). */
export const COMPRESSED_BLOB_SUFFIX = '.gz';

export interface BlobInfo {
  /** SHA-256 of the blob's bytes, uncompressed: compression changes nothing a digest says. */
  digest: Digest;
  /** Its length, uncompressed. */
  bytes: number;
}

/** Path of a blob stored whole: `blobs/sha256/ab/abcdef…` (the first two hex digits fan the files out). */
export function blobPath(storeDir: string, digest: Digest): string {
  const hex = digest.slice('sha256:'.length);
  return join(storeDir, BLOBS_DIR, 'sha256', hex.slice(0, 2), hex);
}

/** Path of a compressed blob: `blobs/sha256/ab/abcdef….gz`, gzip of the blob's bytes. */
export function compressedBlobPath(storeDir: string, digest: Digest): string {
  return `${blobPath(storeDir, digest)}${COMPRESSED_BLOB_SUFFIX}`;
}

/** Where a blob is, compressed (preferred) or whole, or `null` when it is in neither form. */
export async function locateBlob(
  storeDir: string,
  digest: Digest,
): Promise<{ path: string; compressed: boolean } | null> {
  const compressed = compressedBlobPath(storeDir, digest);
  if (await exists(compressed)) return { path: compressed, compressed: true };
  const whole = blobPath(storeDir, digest);
  if (await exists(whole)) return { path: whole, compressed: false };
  return null;
}

/**
 * A blob being written: bytes are hashed as they come, gathered, gzipped and written to a temporary
 * file synchronously (so it can sit in a synchronous callback such as the engine's `onFact`). `finish()`
 * fsyncs, then moves the file to its content address. If that blob already exists (in either form) the
 * temporary file is dropped: blobs are immutable and identical content needs no second copy.
 */
export interface BlobWriter {
  write(chunk: string | Uint8Array): void;
  /**
   * Appends bytes already compressed elsewhere (a reader thread's projection segment), one gzip member
   * each: stored as they are, and hashed and counted from `texts` (each member's uncompressed bytes, as
   * the thread that compressed them had them) or, without them, inflated here to be hashed.
   */
  writeGzipMembers(members: readonly Uint8Array[], texts?: readonly Uint8Array[]): void;
  /**
   * The bytes written so far, decompressed, read back from the temporary file: for a caller that must read
   * them again before it knows whether to keep them (a run whose projection is scoped, `run-once.ts`).
   */
  replay(): Readable;
  finish(): Promise<BlobInfo>;
  /** Drops the temporary file (after an error upstream). */
  abort(): Promise<void>;
}

export function createBlobWriter(storeDir: string): BlobWriter {
  const { dir: temporaryDir, path: temporaryPath } = temporaryBlobPath(storeDir);
  let fd: number;
  try {
    mkdirSync(temporaryDir, { recursive: true });
    fd = openSync(temporaryPath, 'wx', 0o644);
  } catch (error) {
    throw new EvidenceIoError(`cannot create a blob in ${storeDir}: ${String(error)}`, { cause: error });
  }
  const hash: Hash = createHash('sha256');
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let total = 0;
  let members = 0;
  let closed = false;

  const flush = (force: boolean): void => {
    // An empty blob is still one (empty) gzip member, so every compressed blob is a valid gzip file.
    if (pendingBytes === 0 && !(force && members === 0)) return;
    const data = pending.length === 1 ? (pending[0] as Buffer) : Buffer.concat(pending, pendingBytes);
    const compressed = gzipSync(data, { level: BLOB_GZIP_LEVEL });
    let offset = 0;
    while (offset < compressed.length) offset += writeSync(fd, compressed, offset);
    members += 1;
    pending = [];
    pendingBytes = 0;
  };

  return {
    write(chunk) {
      if (closed) throw new EvidenceIoError('blob writer already finished');
      const buffer = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : Buffer.from(chunk);
      hash.update(buffer);
      pending.push(buffer);
      pendingBytes += buffer.length;
      total += buffer.length;
      try {
        if (pendingBytes >= BLOB_WRITE_BUFFER_BYTES) flush(false);
      } catch (error) {
        throw new EvidenceIoError(`cannot write a blob in ${storeDir}: ${String(error)}`, { cause: error });
      }
    },
    writeGzipMembers(compressed, texts) {
      if (closed) throw new EvidenceIoError('blob writer already finished');
      if (texts !== undefined && texts.length !== compressed.length)
        throw new EvidenceIoError('a segment names its members and texts in different numbers');
      try {
        flush(false);
        for (const [i, member] of compressed.entries()) {
          const data = texts?.[i] ?? gunzipSync(member);
          hash.update(data);
          total += data.length;
          let offset = 0;
          while (offset < member.length) offset += writeSync(fd, member, offset);
          members += 1;
        }
      } catch (error) {
        throw new EvidenceIoError(`cannot write a blob in ${storeDir}: ${String(error)}`, { cause: error });
      }
    },
    replay() {
      if (closed) throw new EvidenceIoError('blob writer already finished');
      try {
        flush(true);
      } catch (error) {
        throw new EvidenceIoError(`cannot write a blob in ${storeDir}: ${String(error)}`, { cause: error });
      }
      return openBlobFile({ path: temporaryPath, compressed: true });
    },
    async finish() {
      if (closed) throw new EvidenceIoError('blob writer already finished');
      closed = true;
      try {
        flush(true);
        fsyncSync(fd);
        closeSync(fd);
        const digest = toDigest(hash.digest('hex'));
        const finalPath = compressedBlobPath(storeDir, digest);
        if ((await locateBlob(storeDir, digest)) !== null) {
          await unlink(temporaryPath);
        } else {
          const finalDir = join(finalPath, '..');
          await mkdir(finalDir, { recursive: true });
          await rename(temporaryPath, finalPath);
          await fsyncDirectory(finalDir);
        }
        return { digest, bytes: total };
      } catch (error) {
        await unlink(temporaryPath).catch(() => undefined);
        throw new EvidenceIoError(`cannot store a blob in ${storeDir}: ${String(error)}`, { cause: error });
      }
    },
    async abort() {
      if (!closed) {
        closed = true;
        try {
          closeSync(fd);
        } catch {
          // already closed
        }
      }
      await unlink(temporaryPath).catch(() => undefined);
    },
  };
}

/** Stores bytes (or a UTF-8 string) as a blob and returns its digest. Storing existing content is a no-op. */
export async function putBlob(storeDir: string, data: string | Uint8Array): Promise<BlobInfo> {
  const writer = createBlobWriter(storeDir);
  try {
    writer.write(data);
  } catch (error) {
    await writer.abort();
    throw error;
  }
  return writer.finish();
}

/** A blob read back as it was written (decompressed when stored compressed). */
export function openBlobFile(location: { path: string; compressed: boolean }): Readable {
  const file = createReadStream(location.path);
  if (!location.compressed) return file;
  const gunzip = createGunzip();
  file.on('error', (error) => gunzip.destroy(error));
  return file.pipe(gunzip);
}

/**
 * The bytes of a blob, refusing more than `maxBytes` (a compressed blob is never inflated further than
 * the caller can hold). Throws `EvidenceIoError` when it is missing, unreadable or too large.
 */
export async function readBlob(storeDir: string, digest: Digest, maxBytes: number): Promise<Buffer> {
  const location = await locateBlob(storeDir, digest);
  if (location === null) throw new EvidenceIoError(`blob ${digest} is missing`);
  const chunks: Buffer[] = [];
  let total = 0;
  const stream = openBlobFile(location);
  try {
    for await (const chunk of stream) {
      total += (chunk as Buffer).length;
      if (total > maxBytes) {
        throw new EvidenceIoError(`blob ${digest} holds more than the ${maxBytes} bytes expected`);
      }
      chunks.push(chunk as Buffer);
    }
  } catch (error) {
    if (error instanceof EvidenceIoError) throw error;
    throw new EvidenceIoError(`cannot read blob ${digest}: ${String(error)}`, { cause: error });
  } finally {
    stream.destroy();
  }
  return Buffer.concat(chunks, total);
}

/**
 * Streams a blob (or any file) through SHA-256, decompressing a compressed one, and stops past
 * `maxBytes` (then `bytes` is `maxBytes + 1` and the digest is of what was read).
 */
export async function hashBlobFile(
  location: { path: string; compressed: boolean },
  maxBytes = Number.MAX_SAFE_INTEGER,
): Promise<{ digest: Digest; bytes: number }> {
  const hash = createHash('sha256');
  let bytes = 0;
  const stream = openBlobFile(location);
  try {
    for await (const chunk of stream) {
      const buffer = chunk as Buffer;
      const room = maxBytes + 1 - bytes;
      hash.update(buffer.length > room ? buffer.subarray(0, room) : buffer);
      bytes += Math.min(buffer.length, room);
      if (bytes > maxBytes) break;
    }
  } finally {
    stream.destroy();
  }
  return { digest: toDigest(hash.digest('hex')), bytes };
}

/** Every blob file under `blobs/sha256/`, with the digest its name claims (`null` for a stray file). */
export async function listBlobs(
  storeDir: string,
): Promise<{ digest: Digest | null; name: string; path: string; compressed: boolean }[]> {
  const root = join(storeDir, BLOBS_DIR, 'sha256');
  const found: { digest: Digest | null; name: string; path: string; compressed: boolean }[] = [];
  let fanout: string[];
  try {
    fanout = await readdir(root);
  } catch {
    return found;
  }
  for (const prefix of fanout.sort()) {
    let names: string[];
    try {
      names = await readdir(join(root, prefix));
    } catch {
      continue;
    }
    for (const name of names.sort()) {
      const compressed = name.endsWith(COMPRESSED_BLOB_SUFFIX);
      const hex = compressed ? name.slice(0, -COMPRESSED_BLOB_SUFFIX.length) : name;
      const digest = /^[0-9a-f]{64}$/.test(hex) && hex.startsWith(prefix) ? toDigest(hex) : null;
      found.push({ digest, name, path: join(root, prefix, name), compressed });
    }
  }
  return found;
}
