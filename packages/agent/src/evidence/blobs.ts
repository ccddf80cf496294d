import { createHash, randomBytes } from 'node:crypto';
import type { Hash } from 'node:crypto';
import { closeSync, createReadStream, fsyncSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { access, mkdir, readdir, readFile, rename, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { toDigest } from './canonical-json.js';
import type { Digest } from './canonical-json.js';
import { fsyncDirectory } from '../durable-fs.js';
import { EvidenceIoError } from './errors.js';

export const BLOBS_DIR = 'blobs';
const TEMP_DIR = 'tmp';
/** Bytes buffered before a write to disk: bounds memory however large the blob grows. */
export const BLOB_WRITE_BUFFER_BYTES = 64 * 1024;

export interface BlobInfo {
  digest: Digest;
  bytes: number;
}

/** Path of a blob: `blobs/sha256/ab/abcdef…` (the first two hex digits fan the files out). */
export function blobPath(storeDir: string, digest: Digest): string {
  const hex = digest.slice('sha256:'.length);
  return join(storeDir, BLOBS_DIR, 'sha256', hex.slice(0, 2), hex);
}

/**
 * A blob being written: bytes go to a temporary file as they come (synchronously, so it can sit in a
 * synchronous callback such as the engine's `onFact`), hashed on the way. `finish()` fsyncs, then moves
 * the file to its content address. If that blob already exists the temporary file is dropped: blobs are
 * immutable and identical content needs no second copy.
 */
export interface BlobWriter {
  write(chunk: string | Uint8Array): void;
  finish(): Promise<BlobInfo>;
  /** Drops the temporary file (after an error upstream). */
  abort(): Promise<void>;
}

export function createBlobWriter(storeDir: string): BlobWriter {
  const temporaryDir = join(storeDir, BLOBS_DIR, TEMP_DIR);
  const temporaryPath = join(temporaryDir, `${randomBytes(8).toString('hex')}.part`);
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
  let closed = false;

  const flush = (): void => {
    if (pendingBytes === 0) return;
    const data = pending.length === 1 ? (pending[0] as Buffer) : Buffer.concat(pending, pendingBytes);
    let offset = 0;
    while (offset < data.length) offset += writeSync(fd, data, offset);
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
        if (pendingBytes >= BLOB_WRITE_BUFFER_BYTES) flush();
      } catch (error) {
        throw new EvidenceIoError(`cannot write a blob in ${storeDir}: ${String(error)}`, { cause: error });
      }
    },
    async finish() {
      if (closed) throw new EvidenceIoError('blob writer already finished');
      closed = true;
      try {
        flush();
        fsyncSync(fd);
        closeSync(fd);
        const digest = toDigest(hash.digest('hex'));
        const finalPath = blobPath(storeDir, digest);
        if (await exists(finalPath)) {
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

export async function readBlob(storeDir: string, digest: Digest): Promise<Buffer> {
  try {
    return await readFile(blobPath(storeDir, digest));
  } catch (error) {
    throw new EvidenceIoError(`cannot read blob ${digest}: ${String(error)}`, { cause: error });
  }
}

/** Streams a file through SHA-256 (blobs can be larger than memory). */
export async function hashFile(path: string): Promise<{ digest: Digest; bytes: number }> {
  const hash = createHash('sha256');
  let bytes = 0;
  for await (const chunk of createReadStream(path)) {
    const buffer = chunk as Buffer;
    hash.update(buffer);
    bytes += buffer.length;
  }
  return { digest: toDigest(hash.digest('hex')), bytes };
}

/** Every blob file under `blobs/sha256/`, with the digest its path claims. */
export async function listBlobs(storeDir: string): Promise<{ digest: Digest; path: string }[]> {
  const root = join(storeDir, BLOBS_DIR, 'sha256');
  const found: { digest: Digest; path: string }[] = [];
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
    for (const name of names.sort()) found.push({ digest: toDigest(name), path: join(root, prefix, name) });
  }
  return found;
}

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}
