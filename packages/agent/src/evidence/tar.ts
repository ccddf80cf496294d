/**
 * A minimal POSIX ustar writer and reader: enough for an evidence bundle that any `tar` can open, with
 * no dependency. Regular files and directories only; names up to 255 bytes (name + prefix fields);
 * files up to 8 GiB (11 octal digits). gzip through node:zlib when asked.
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, open, rename, stat, unlink } from 'node:fs/promises';
import { dirname, join, posix, sep } from 'node:path';
import { PassThrough } from 'node:stream';
import type { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip, createGzip } from 'node:zlib';
import { fsyncDirectory, temporaryPathFor } from '../durable-fs.js';

const BLOCK = 512;
const MAX_OCTAL_SIZE = 0o77777777777;

/** One member of an archive: bytes in memory or a file on disk. */
export type TarMember = { name: string; mtime?: Date; mode?: number } & (
  { data: Uint8Array | string } | { path: string }
);

/** Builds a ustar header block. */
export function tarHeader(
  name: string,
  size: number,
  options: { mtime?: Date; mode?: number; type?: '0' | '5' | 'x' } = {},
): Buffer {
  if (size > MAX_OCTAL_SIZE) throw new RangeError(`tar: ${name} is larger than 8 GiB`);
  const header = Buffer.alloc(BLOCK, 0);
  const [prefix, base] = splitName(name);
  header.write(base, 0, 100, 'utf8');
  writeOctal(header, 100, 8, options.mode ?? 0o644);
  writeOctal(header, 108, 8, 0);
  writeOctal(header, 116, 8, 0);
  writeOctal(header, 124, 12, size);
  writeOctal(header, 136, 12, Math.floor((options.mtime ?? new Date(0)).getTime() / 1000));
  header.fill(0x20, 148, 156); // checksum computed with its own field as spaces
  header.write(options.type ?? '0', 156, 1, 'ascii');
  header.write('ustar\u0000', 257, 6, 'ascii');
  header.write('00', 263, 2, 'ascii');
  header.write('root', 265, 32, 'ascii');
  header.write('root', 297, 32, 'ascii');
  header.write(prefix, 345, 155, 'utf8');
  let sum = 0;
  for (const byte of header) sum += byte;
  header.write(`${sum.toString(8).padStart(6, '0')}\u0000 `, 148, 8, 'ascii');
  return header;
}

function splitName(name: string): [string, string] {
  if (Buffer.byteLength(name) <= 100) return ['', name];
  for (let index = name.indexOf('/'); index !== -1; index = name.indexOf('/', index + 1)) {
    const prefix = name.slice(0, index);
    const base = name.slice(index + 1);
    if (Buffer.byteLength(prefix) <= 155 && Buffer.byteLength(base) <= 100) return [prefix, base];
  }
  throw new RangeError(`tar: name too long for ustar: ${name}`);
}

function writeOctal(buffer: Buffer, offset: number, length: number, value: number): void {
  buffer.write(`${value.toString(8).padStart(length - 1, '0')}\u0000`, offset, length, 'ascii');
}

/**
 * Writes an archive durably (temp file, fsync, rename, directory fsync). A name ending in `.gz` or
 * `.tgz` is gzipped.
 */
export async function writeTarFile(
  outPath: string,
  members: readonly TarMember[],
): Promise<{ bytes: number }> {
  const gzip = /\.(t?gz)$/i.test(outPath);
  const temporary = temporaryPathFor(outPath);
  await mkdir(dirname(outPath), { recursive: true });
  try {
    const tarStream = new PassThrough();
    const file = createWriteStream(temporary, { flags: 'wx' });
    const done = gzip ? pipeline(tarStream, createGzip(), file) : pipeline(tarStream, file);
    const produced = produceTar(tarStream, members).catch((error: unknown) => {
      tarStream.destroy(error instanceof Error ? error : new Error(String(error)));
      throw error;
    });
    await Promise.all([produced, done]);
    const handle = await open(temporary, 'r+');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temporary, outPath);
    await fsyncDirectory(dirname(outPath));
    return { bytes: (await stat(outPath)).size };
  } catch (error) {
    await unlink(temporary).catch(() => undefined);
    throw error;
  }
}

async function produceTar(out: PassThrough, members: readonly TarMember[]): Promise<void> {
  for (const member of members) {
    if ('data' in member) {
      const data =
        typeof member.data === 'string' ? Buffer.from(member.data, 'utf8') : Buffer.from(member.data);
      await put(out, tarHeader(member.name, data.length, member));
      await put(out, data);
      await put(out, padding(data.length));
    } else {
      const size = (await stat(member.path)).size;
      await put(out, tarHeader(member.name, size, member));
      let written = 0;
      for await (const chunk of createReadStream(member.path)) {
        await put(out, chunk as Buffer);
        written += (chunk as Buffer).length;
      }
      if (written !== size) throw new Error(`tar: ${member.path} changed size while being archived`);
      await put(out, padding(size));
    }
  }
  await put(out, Buffer.alloc(BLOCK * 2, 0));
  out.end();
}

function padding(size: number): Buffer {
  return Buffer.alloc((BLOCK - (size % BLOCK)) % BLOCK, 0);
}

function put(stream: Writable, data: Buffer): Promise<void> {
  if (data.length === 0) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const onError = (error: Error): void => reject(error);
    stream.once('error', onError);
    const ok = stream.write(data, (error) => {
      stream.off('error', onError);
      if (error) reject(error);
      else if (ok) resolve();
    });
    if (!ok) stream.once('drain', () => resolve());
  });
}

/** Refused while reading an archive: not one of ours, or unsafe. */
export class TarFormatError extends Error {
  override readonly name = 'TarFormatError';
}

/** Refused while reading an archive: it would write more than the limits allow. */
export class TarLimitError extends TarFormatError {}

/**
 * Default bound on what extracting one bundle may write: ten years of monthly runs at size L, compressed,
 * are about 4 GB; this leaves room for stores sealed before blobs were compressed. `esms verify
 * --max-extract-bytes` overrides it.
 */
export const DEFAULT_MAX_EXTRACT_BYTES = 32 * 1024 ** 3;
/**
 * A gzipped bundle may not expand to more than this many times its size. Its blobs are compressed
 * already (ratio about 1) and its journal and older blobs are JSON (below 20); a gzip bomb is about 1000.
 */
export const MAX_EXPANSION_RATIO = 200;
/** Below this, a gzipped bundle is extracted whatever its ratio (a store with one run is a few kB). */
export const EXPANSION_FLOOR_BYTES = 16 * 1024 * 1024;

export interface ExtractOptions {
  /** At most this many bytes written in all (default {@link DEFAULT_MAX_EXTRACT_BYTES}). */
  maxBytes?: number;
  /** Called with the name of every directory member (they are created, and not returned). */
  onDirectory?: (name: string) => void;
}

/**
 * Extracts an archive (plain or gzipped, detected by its first bytes) into `destDir`, streaming each
 * member to disk. Refuses absolute names, `..`, links, pax/GNU extension headers (another tar would apply
 * names this reader does not see) and a member listed twice. Each member's size is checked against the
 * limits BEFORE any of it is written: the total `maxBytes`, and for a gzipped archive
 * {@link MAX_EXPANSION_RATIO} times its size (past {@link EXPANSION_FLOOR_BYTES}).
 * @returns the names of the regular files extracted.
 */
export async function extractTarFile(
  archivePath: string,
  destDir: string,
  options: ExtractOptions = {},
): Promise<string[]> {
  const head = Buffer.alloc(2);
  const probe = await open(archivePath, 'r');
  let archiveBytes: number;
  try {
    await probe.read(head, 0, 2, 0);
    archiveBytes = (await probe.stat()).size;
  } finally {
    await probe.close();
  }
  const gzipped = head[0] === 0x1f && head[1] === 0x8b;
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_EXTRACT_BYTES;
  const limit = gzipped
    ? Math.min(maxBytes, Math.max(EXPANSION_FLOOR_BYTES, archiveBytes * MAX_EXPANSION_RATIO))
    : maxBytes;
  const source: Readable = gzipped
    ? createReadStream(archivePath).pipe(createGunzip())
    : createReadStream(archivePath);
  const reader = new ChunkReader(source[Symbol.asyncIterator]() as AsyncIterator<Buffer>);
  const names: string[] = [];
  let written = 0;
  try {
    for (;;) {
      const header = await reader.read(BLOCK);
      if (header === null) break;
      if (header.every((byte) => byte === 0)) break;
      if (!checksumOk(header)) throw new TarFormatError('not a tar archive (bad header checksum)');
      const size = parseOctal(header, 124, 12);
      const type = String.fromCharCode(header[156] ?? 0);
      const name = readName(header);
      const padded = size + ((BLOCK - (size % BLOCK)) % BLOCK);
      if (type === '0' || type === '\u0000') {
        if (written + size > limit) {
          throw new TarLimitError(
            `${name} (${size} bytes) would make the extraction write more than ${limit} bytes ` +
              (limit < maxBytes
                ? `(${MAX_EXPANSION_RATIO} times the ${archiveBytes} bytes of the gzipped archive: a gzip bomb?)`
                : '(--max-extract-bytes)') +
              '; nothing of it was written',
          );
        }
        const target = safeTarget(destDir, name);
        await mkdir(dirname(target), { recursive: true });
        let handle;
        try {
          handle = await open(target, 'wx', 0o644);
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code === 'EEXIST')
            throw new TarFormatError(`${name} is in the archive twice`);
          throw error;
        }
        try {
          let remaining = size;
          while (remaining > 0) {
            const chunk = await reader.readUpTo(remaining);
            if (chunk === null) throw new TarFormatError(`archive ends inside ${name}`);
            await handle.write(chunk);
            remaining -= chunk.length;
          }
        } finally {
          await handle.close();
        }
        written += size;
        await reader.skip(padded - size);
        names.push(name);
      } else if (type === '5') {
        options.onDirectory?.(name);
        await mkdir(safeTarget(destDir, name), { recursive: true });
        await reader.skip(padded);
      } else if (type === 'x' || type === 'g' || type === 'L' || type === 'K') {
        throw new TarFormatError(
          `extension header (type ${JSON.stringify(type)}) before ${name}: not written by esms, and other tar programs would read other names`,
        );
      } else {
        throw new TarFormatError(`unsupported tar member type ${JSON.stringify(type)} for ${name}`);
      }
    }
  } finally {
    source.destroy();
  }
  return names;
}

function readName(header: Buffer): string {
  const base = cString(header, 0, 100);
  const magic = header.toString('ascii', 257, 262);
  const prefix = magic === 'ustar' ? cString(header, 345, 155) : '';
  return prefix === '' ? base : `${prefix}/${base}`;
}

function safeTarget(destDir: string, name: string): string {
  const normalised = posix.normalize(name);
  if (normalised.startsWith('/') || normalised.split('/').includes('..') || normalised.includes('\\')) {
    throw new TarFormatError(`unsafe name in archive: ${name}`);
  }
  return join(
    destDir,
    ...normalised
      .split('/')
      .filter((part) => part !== '' && part !== '.')
      .map((p) => p.split(sep).join('_')),
  );
}

function cString(buffer: Buffer, offset: number, length: number): string {
  const slice = buffer.subarray(offset, offset + length);
  const end = slice.indexOf(0);
  return slice.subarray(0, end === -1 ? length : end).toString('utf8');
}

function parseOctal(buffer: Buffer, offset: number, length: number): number {
  const text = cString(buffer, offset, length).trim();
  if (!/^[0-7]*$/.test(text)) throw new TarFormatError('not a tar archive (bad number field)');
  return text === '' ? 0 : parseInt(text, 8);
}

function checksumOk(header: Buffer): boolean {
  const stored = parseOctal(header, 148, 8);
  let sum = 0;
  for (let index = 0; index < BLOCK; index += 1)
    sum += index >= 148 && index < 156 ? 0x20 : (header[index] ?? 0);
  return sum === stored;
}

/** Reads exact byte counts from an async iterator of chunks. */
class ChunkReader {
  private buffered: Buffer = Buffer.alloc(0);
  private ended = false;
  constructor(private readonly source: AsyncIterator<Buffer>) {}

  private async fill(min: number): Promise<void> {
    while (this.buffered.length < min && !this.ended) {
      const next = await this.source.next();
      if (next.done === true) this.ended = true;
      else
        this.buffered = this.buffered.length === 0 ? next.value : Buffer.concat([this.buffered, next.value]);
    }
  }

  async read(length: number): Promise<Buffer | null> {
    await this.fill(length);
    if (this.buffered.length < length) return null;
    const out = this.buffered.subarray(0, length);
    this.buffered = this.buffered.subarray(length);
    return out;
  }

  async readUpTo(max: number): Promise<Buffer | null> {
    await this.fill(1);
    if (this.buffered.length === 0) return null;
    const out = this.buffered.subarray(0, Math.min(max, this.buffered.length));
    this.buffered = this.buffered.subarray(out.length);
    return out;
  }

  async skip(length: number): Promise<void> {
    let remaining = length;
    while (remaining > 0) {
      const chunk = await this.readUpTo(remaining);
      if (chunk === null) throw new TarFormatError('archive ends early');
      remaining -= chunk.length;
    }
  }
}
