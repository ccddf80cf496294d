import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readdir } from 'node:fs/promises';
import { gzipSync } from 'node:zlib';
import { extractTarFile, tarHeader, TarLimitError, writeTarFile } from './tar.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'esms-tar-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const longName = `esms-evidence/${'d'.repeat(60)}/${'f'.repeat(90)}`;

describe('tar', () => {
  it.each(['a.tar', 'a.tar.gz'])('round-trips %s, readable by the system tar too', async (name) => {
    const onDisk = join(dir, 'source.bin');
    const big = Buffer.alloc(70_000, 0xab);
    await writeFile(onDisk, big);
    const out = join(dir, name);
    await writeTarFile(out, [
      { name: 'esms-evidence/MANIFEST.txt', data: 'héllo\n' },
      { name: 'esms-evidence/blobs/empty', data: '' },
      { name: longName, path: onDisk },
    ]);
    const listing = execFileSync('tar', ['-tf', out], { encoding: 'utf8' }).trim().split('\n');
    expect(listing).toEqual(['esms-evidence/MANIFEST.txt', 'esms-evidence/blobs/empty', longName]);
    const dest = join(dir, 'x');
    expect(await extractTarFile(out, dest)).toEqual(listing);
    expect(await readFile(join(dest, 'esms-evidence', 'MANIFEST.txt'), 'utf8')).toBe('héllo\n');
    expect(await readFile(join(dest, ...longName.split('/')))).toEqual(big);
  });

  it('refuses unsafe names when extracting', async () => {
    const out = join(dir, 'evil.tar');
    const header = tarHeader('../evil.txt', 1);
    await writeFile(out, Buffer.concat([header, Buffer.alloc(512, 0x41), Buffer.alloc(1024)]));
    await expect(extractTarFile(out, join(dir, 'x'))).rejects.toThrow(/unsafe name/);
  });

  it('refuses a file that is not a tar', async () => {
    const out = join(dir, 'not.tar');
    await writeFile(out, Buffer.alloc(600, 0x41));
    await expect(extractTarFile(out, join(dir, 'x'))).rejects.toThrow(/not a tar archive/);
  });

  it('refuses a member that would pass the limit before writing any of it, and a gzip bomb by its ratio', async () => {
    const big = join(dir, 'big.tar');
    await writeTarFile(big, [
      { name: 'esms-evidence/small', data: 'x'.repeat(100) },
      { name: 'esms-evidence/journal.ndjson', data: Buffer.alloc(4096) },
    ]);
    const dest = join(dir, 'limited');
    await expect(extractTarFile(big, dest, { maxBytes: 1000 })).rejects.toBeInstanceOf(TarLimitError);
    expect(await readdir(join(dest, 'esms-evidence'))).toEqual(['small']);

    const bomb = join(dir, 'bomb.tar.gz');
    await writeFile(
      bomb,
      gzipSync(
        Buffer.concat([
          tarHeader('esms-evidence/journal.ndjson', 32 * 1024 * 1024),
          Buffer.alloc(32 * 1024 * 1024),
          Buffer.alloc(1024),
        ]),
      ),
    );
    const out = join(dir, 'bomb');
    await expect(extractTarFile(bomb, out)).rejects.toThrow(/gzip bomb\?\); nothing of it was written/);
    expect(await readdir(out).catch(() => [])).toEqual([]);
  });

  it('refuses pax or GNU extension headers and a member listed twice', async () => {
    const pax = join(dir, 'pax.tar');
    await writeFile(
      pax,
      Buffer.concat([tarHeader('PaxHeaders/journal.ndjson', 0, { type: 'x' }), Buffer.alloc(1024)]),
    );
    await expect(extractTarFile(pax, join(dir, 'p'))).rejects.toThrow(/extension header/);
    const twice = join(dir, 'twice.tar');
    await writeTarFile(twice, [
      { name: 'esms-evidence/journal.ndjson', data: 'a' },
      { name: 'esms-evidence/journal.ndjson', data: 'b' },
    ]);
    await expect(extractTarFile(twice, join(dir, 't'))).rejects.toThrow(/in the archive twice/);
  });
});
