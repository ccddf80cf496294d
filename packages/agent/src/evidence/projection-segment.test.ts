import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { compressedBlobPath, createBlobWriter } from './blobs.js';
import { createProjectionSegmentEncoder, segmentTransferList } from './projection-segment.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'esms-segment-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

function segmentOf(count: number) {
  const encoder = createProjectionSegmentEncoder();
  for (let i = 0; i < count; i += 1) {
    encoder.add({
      k: 'event',
      record: `p:${String(i).padStart(22, 'A')}`,
      status: i % 3 === 0 ? 'finished' : null,
    });
  }
  return encoder.finish();
}

describe('projection segments', () => {
  it('carry the text of each gzip member, and the blob hashes it: the same blob as inflating the members', async () => {
    const segment = segmentOf(60_000);
    expect(segment.members.length).toBeGreaterThan(1);
    expect(segment.texts?.map((t) => Buffer.from(t).toString('hex'))).toEqual(
      segment.members.map((m) => gunzipSync(m).toString('hex')),
    );
    const withTexts = createBlobWriter(dir);
    withTexts.writeGzipMembers(segment.members, segment.texts);
    const a = await withTexts.finish();
    const inflating = createBlobWriter(dir);
    inflating.writeGzipMembers(segment.members);
    const b = await inflating.finish();
    expect(a).toEqual(b);
    expect(a.bytes).toBe(segment.bytes);
    const stored = gunzipSync(await readFile(compressedBlobPath(dir, a.digest)));
    expect(stored.toString('utf8')).toBe(segment.members.map((m) => gunzipSync(m).toString('utf8')).join(''));
  });

  it('refuses members and texts in different numbers', async () => {
    const segment = segmentOf(10);
    const writer = createBlobWriter(dir);
    expect(() => writer.writeGzipMembers(segment.members, [])).toThrow(/different numbers/);
    await writer.abort();
  });

  it('hand over whole buffers only, never a slice of a shared pool', () => {
    const segment = segmentOf(20_000);
    const list = segmentTransferList(segment);
    expect(list.length).toBe(segment.members.length + (segment.texts?.length ?? 0));
    const pooled = Buffer.from('small');
    expect(pooled.byteLength).toBeLessThan(pooled.buffer.byteLength);
    expect(segmentTransferList({ members: [pooled], texts: [pooled], bytes: 5, count: 1 })).toEqual([]);
    expect(segmentTransferList(undefined)).toEqual([]);
  });
});
