import { cp, mkdir, mkdtemp, readFile, readdir, rm, symlink, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { DataQualityFinding, ResultsDocument } from '@esms-numerique/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { journalTypes, outboxIds } from './support/agent-config.js';
import { FIXTURE_EXPORT } from './support/expectations.js';
import { cleanUpLoopbacks, loopbackAgent } from './support/loopback.js';
import { esms, killChildren, REPO_ROOT } from './support/processes.js';

// Issue 9 §2 (indicators.md "A record and an input are different things"): an input that could not be read
// to its end is `input-incomplete`. `esms compute` still prints its document with that error, naming the
// input and how far it got, the good files included, exit 0; `esms run-once` refuses to seal or submit.
const MEASURE_DATE = '2024-04-01';
let expected: ResultsDocument;
let scratch: string;

interface Shape {
  name: string;
  /** The input paths (built in `scratch`), and the one that is incomplete. */
  build(): Promise<{ paths: string[]; incomplete: string }>;
  /** What the finding says about how far the read got. */
  progress: RegExp;
  /** Whether every record of the fixture is still read (the incomplete input is an extra one). */
  allRecordsRead: boolean;
}

let copies = 0;
/** A copy of the fixture's export (each test its own: they run side by side). */
async function exportCopy(name: string): Promise<string> {
  copies += 1;
  const dir = join(scratch, `${name}-${copies}`);
  await cp(FIXTURE_EXPORT, dir, { recursive: true });
  return dir;
}

/** A Bulk Data export directory holding the fixture's files, listed by `manifest.json`. */
async function bulkExport(name: string, manifest: string | null): Promise<string> {
  const dir = await exportCopy(name);
  const files = (await readdir(dir)).filter((f) => f.endsWith('.ndjson'));
  const text =
    manifest ??
    JSON.stringify({
      transactionTime: '2024-04-09T02:00:00Z',
      output: [
        ...files.map((f) => ({ type: f.slice(0, f.indexOf('.')), url: `https://dui.example/bulk/${f}` })),
        { type: 'Observation', url: 'https://dui.example/bulk/Observation.000.ndjson' },
      ],
      error: [],
    });
  await writeFile(join(dir, 'manifest.json'), text);
  return dir;
}

const SHAPES: Shape[] = [
  {
    name: 'a truncated .ndjson.gz',
    async build() {
      const dir = await exportCopy('truncated-gz');
      const text = await readFile(join(dir, 'AuditEvent.ndjson'));
      const lines = text.toString('utf8').split('\n').filter(Boolean);
      // Enough lines for the cut to fall after some of them.
      const many = Array.from({ length: 40 }, (_, i) =>
        lines.map((l) => l.replace(/"id":"([^"]+)"/, `"id":"$1-copy${i}"`)).join('\n'),
      ).join('\n');
      const gz = gzipSync(`${lines.join('\n')}\n${many}\n`);
      await unlink(join(dir, 'AuditEvent.ndjson'));
      const cut = join(dir, 'AuditEvent.ndjson.gz');
      await writeFile(cut, gz.subarray(0, Math.floor(gz.length * 0.6)));
      return { paths: [dir], incomplete: cut };
    },
    progress: /incomplete after \d+ lines \(\d+ bytes\): the gzip stream ends early/,
    allRecordsRead: false,
  },
  {
    name: 'a .gz that is not gzip',
    async build() {
      const dir = await exportCopy('not-gzip');
      const bad = join(dir, 'Observation.000.ndjson.gz');
      await writeFile(bad, '{"resourceType":"Observation","id":"o1"}\n');
      return { paths: [dir], incomplete: bad };
    },
    progress: /incomplete after 0 lines \(0 bytes\): not a valid gzip file/,
    allRecordsRead: true,
  },
  {
    // Audit G6: the good NDJSON files beside an invalid manifest are read (as without a manifest).
    name: 'an invalid Bulk manifest.json',
    async build() {
      const bulk = await bulkExport('bad-manifest', '{"output": [ {"type": "Patient", ');
      return { paths: [bulk], incomplete: join(bulk, 'manifest.json') };
    },
    progress: /manifest is not valid JSON: the directory's files were read as if it had none/,
    allRecordsRead: true,
  },
  {
    name: 'a broken symbolic link in an input directory',
    async build() {
      const dir = await exportCopy('broken-link');
      const link = join(dir, 'Observation.000.ndjson');
      await symlink(join(dir, 'gone.ndjson'), link);
      return { paths: [dir], incomplete: link };
    },
    progress: /cannot be read \(no such file or directory\): none of its records were read/,
    allRecordsRead: true,
  },
  {
    name: 'a manifest listing a missing file',
    async build() {
      const bulk = await bulkExport('missing-listed', null);
      return { paths: [bulk], incomplete: join(bulk, 'Observation.000.ndjson') };
    },
    progress:
      /incomplete after 0 lines \(0 bytes\): listed in the bulk manifest \(output\[\d\]\) but missing/,
    allRecordsRead: true,
  },
  {
    // Audit G1: a Bundle cut inside a string was one bad record, and run-once sealed figures without it.
    name: 'a .json Bundle cut short',
    async build() {
      const dir = await exportCopy('cut-bundle');
      const entries = Array.from({ length: 5 }, (_, i) => ({
        resource: { resourceType: 'Patient', id: `extra-${i}`, birthDate: '1950-01-01' },
      }));
      const bundle = JSON.stringify({ resourceType: 'Bundle', type: 'collection', entry: entries });
      const cut = join(dir, 'More.json');
      // Cut inside the last entry's `birthDate` string, not at a place JSON.parse calls "end of input".
      await writeFile(cut, bundle.slice(0, bundle.lastIndexOf('1950-01') + 4));
      return { paths: [dir], incomplete: cut };
    },
    progress: /not valid JSON to its end, invalid JSON \(Unterminated string/,
    allRecordsRead: true,
  },
  {
    name: 'an NDJSON file cut mid-line (no final newline)',
    async build() {
      const dir = await exportCopy('cut-ndjson');
      const cut = join(dir, 'Observation.000.ndjson');
      await writeFile(
        cut,
        '{"resourceType":"Observation","id":"o1","status":"final"}\n{"resourceType":"Observation","id":"o2","sta',
      );
      return { paths: [dir], incomplete: cut };
    },
    progress: /incomplete after 1 line \(\d+ bytes\): the last line has no newline and is not valid JSON/,
    allRecordsRead: true,
  },
  {
    name: 'a Bulk file holding fewer resources than its manifest count',
    async build() {
      const dir = await exportCopy('count-short');
      const files = (await readdir(dir)).filter((f) => f.endsWith('.ndjson'));
      const output = await Promise.all(
        files.map(async (f) => {
          const lines = (await readFile(join(dir, f), 'utf8')).split('\n').filter(Boolean).length;
          // The server announced more Encounters than the saved file holds (a copy that stopped at a line).
          return {
            type: f.slice(0, f.indexOf('.')),
            url: f,
            count: f.startsWith('Encounter') ? lines + 7 : lines,
          };
        }),
      );
      await writeFile(join(dir, 'manifest.json'), JSON.stringify({ output, error: [] }));
      return { paths: [dir], incomplete: join(dir, 'Encounter.ndjson') };
    },
    progress:
      /incomplete after \d+ lines \(\d+ bytes\): the bulk manifest declares \d+ resources, the file holds \d+/,
    allRecordsRead: true,
  },
];

beforeAll(async () => {
  expected = JSON.parse(
    await readFile(join(REPO_ROOT, 'test/fixtures/two-essms/expected.json'), 'utf8'),
  ) as ResultsDocument;
  scratch = await mkdtemp(join(tmpdir(), 'esms-e2e-incomplete-'));
  await mkdir(scratch, { recursive: true });
});
afterAll(async () => {
  await killChildren();
  await cleanUpLoopbacks();
  await rm(scratch, { recursive: true, force: true });
});

describe.concurrent('input-incomplete through the built CLI', () => {
  for (const shape of SHAPES) {
    it(`${shape.name}: compute prints the document with the error, the good files' figures, exit 0`, async () => {
      const { paths, incomplete } = await shape.build();
      for (const threads of ['1', '3']) {
        const run = await esms([
          'compute',
          '--input',
          ...paths,
          '--measure-date',
          MEASURE_DATE,
          '--format',
          'json',
          '--threads',
          threads,
        ]);
        expect(run.code, run.stderr).toBe(0);
        expect(run.stderr).toContain('1 input(s) could not be read to their end');
        const doc = JSON.parse(run.stdout) as ResultsDocument;
        const found = doc.dataQuality.errors.filter((e) => e.code === 'input-incomplete');
        expect(found).toHaveLength(1);
        const finding = found[0] as DataQualityFinding;
        expect(finding.location?.input).toBe(incomplete);
        expect(finding.message).toContain(incomplete);
        expect(finding.message).toMatch(shape.progress);
        if (shape.allRecordsRead) {
          expect(doc.establishments).toEqual(expected.establishments);
        } else {
          // What was read still counts: both ESSMS are there, with their séjours.
          expect(doc.establishments.map((e) => e.finess)).toEqual(
            expected.establishments.map((e) => e.finess),
          );
          expect(doc.establishments.map((e) => e.indicators['taux-dossiers-actifs'].denominator)).toEqual(
            expected.establishments.map((e) => e.indicators['taux-dossiers-actifs'].denominator),
          );
        }
      }
    });

    it(`${shape.name}: run-once fails with input-incomplete, nothing sealed, nothing sent`, async () => {
      const { paths, incomplete } = await shape.build();
      const { home, receiver } = await loopbackAgent({ ndjsonPaths: paths });
      const run = await esms(['run-once', '--config', home.configPath, '--measure-date', MEASURE_DATE]);
      expect(run.code).toBe(1);
      const record = JSON.parse(run.stdout) as { outcome: string; error: { code: string; message: string } };
      expect(record.outcome).toBe('error');
      expect(record.error.code).toBe('input-incomplete');
      expect(record.error.message).toContain(incomplete);
      expect(await journalTypes(home.dataDir)).not.toContain('run-sealed');
      expect(await outboxIds(home.dataDir, 'pending')).toEqual([]);
      expect(await outboxIds(home.dataDir, 'done')).toEqual([]);
      expect(await receiver.reports()).toEqual([]);
    });
  }
});
