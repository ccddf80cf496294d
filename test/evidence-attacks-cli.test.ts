import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cp, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { esms, killChildren, REPO_ROOT } from './support/processes.js';
import { initKeys } from './support/agent-config.js';

// Issue 10 §1, through the built CLI: each attack an adversary tried on the evidence, and what it now meets.
const MEASURE_DATE = '2024-04-01';
const SAMPLE_DATA = join(REPO_ROOT, 'examples/sample-data');
/** The sample data's ESSMS; 690007356's DMP numerator is 0 at D = 2024-04-01. */
const ESSMS = ['130007313', '690007356', '750006827', '970108007', '970407680'];

let scratch: string;
/** A data directory after one run-once (ARS null), copied by each test before it tampers. */
let pristine: string;

/** Records whose ids must never reach the evidence in clear (duplicate INS, unknown subject, invalid). */
const EXTRA_RECORDS = [
  // Shares pat-1's INS without a link: a duplicate-person warning about pat-900 naming pat-1.
  {
    resourceType: 'Patient',
    id: 'pat-900',
    identifier: [
      {
        type: {
          coding: [{ system: 'https://hl7.fr/ig/fhir/core/CodeSystem/fr-core-cs-v2-0203', code: 'INS-NIR' }],
        },
        system: 'urn:oid:1.2.250.1.213.1.4.8',
        value: '241029900000102',
      },
    ],
  },
  // A séjour of a person whose Patient record is not in the input: unknown-subject.
  {
    resourceType: 'Encounter',
    id: 'enc-ghost-900',
    meta: {
      profile: ['https://interop.esante.gouv.fr/ig/fhir/tddui/StructureDefinition/tddui-encounter-sejour'],
    },
    status: 'in-progress',
    class: { system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'HH' },
    subject: { reference: 'Patient/pat-ghost-900' },
    serviceProvider: { reference: 'Organization/essms-1' },
    period: { start: '2023-01-01' },
  },
  // Not a valid FHIR date: invalid-resource.
  { resourceType: 'Encounter', id: 'enc-bad-900', status: 'finished', period: { start: 'not a date' } },
];
const CLEAR_IDS = ['pat-900', 'Patient/pat-1"', 'pat-ghost-900', 'enc-ghost-900', 'enc-bad-900'];

async function writeConfig(dir: string, dataDir: string, input: string): Promise<string> {
  const path = join(dir, 'esms.config.yaml');
  await writeFile(
    path,
    [
      'establishments:',
      ...ESSMS.map((f) => `  - finess: "${f}"`),
      'sources:',
      `  - { type: ndjson, paths: [${JSON.stringify(input)}] }`,
      'ars: null',
      `dataDir: ${JSON.stringify(dataDir)}`,
      'logging: { format: json, level: warn }',
      '',
    ].join('\n'),
  );
  await initKeys(path);
  return path;
}

interface Entry {
  seq: number;
  type: string;
  hash: string;
  payload: Record<string, unknown>;
}

async function journal(store: string): Promise<Entry[]> {
  return (await readFile(join(store, 'journal.ndjson'), 'utf8'))
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as Entry);
}

const blobFile = (store: string, digest: string): string => {
  const hex = digest.slice('sha256:'.length);
  return join(store, 'blobs', 'sha256', hex.slice(0, 2), `${hex}.gz`);
};

/** A copy of the pristine data dir with its config, for one test to tamper with. */
async function copyHome(): Promise<{ config: string; store: string; dir: string }> {
  const dir = await mkdtemp(join(scratch, 'home-'));
  await cp(pristine, join(dir, 'data'), { recursive: true });
  const config = await writeConfig(dir, join(dir, 'data'), join(scratch, 'input'));
  return { config, store: join(dir, 'data', 'evidence'), dir };
}

/** Every byte an evidence store or bundle directory holds, blobs decompressed. */
async function allEvidenceText(root: string): Promise<string> {
  const parts: string[] = [];
  const walk = async (dir: string): Promise<void> => {
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) await walk(path);
      else {
        const bytes = await readFile(path);
        parts.push((entry.name.endsWith('.gz') ? gunzipSync(bytes) : bytes).toString('utf8'));
      }
    }
  };
  await walk(root);
  return parts.join('\n');
}

beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'esms-e2e-attacks-'));
  await cp(SAMPLE_DATA, join(scratch, 'input'), { recursive: true });
  // Read every file of the directory (a Bulk Data manifest would list only its own).
  await rm(join(scratch, 'input', 'manifest.json'));
  await writeFile(
    join(scratch, 'input', 'Extra.000.ndjson'),
    EXTRA_RECORDS.map((r) => JSON.stringify(r)).join('\n') + '\n',
  );
  pristine = join(scratch, 'pristine');
  const config = await writeConfig(scratch, pristine, join(scratch, 'input'));
  const run = await esms(['run-once', '--config', config, '--measure-date', MEASURE_DATE]);
  expect(run.code, run.stderr).toBe(0);
});
afterAll(async () => {
  await killChildren();
  await rm(scratch, { recursive: true, force: true });
});

describe.concurrent('issue 10 §1: attacks on the evidence fail, through the CLI', () => {
  it.each([
    ['in place (the blob no longer matches its digest)', false],
    ['as a new blob the entry is pointed to (the entry no longer matches its hash)', true],
  ])(
    'a forged DMP numerator (0 → 3) for 690007356 in the last results, %s: verify, export csv and fhir exit 4',
    async (_label, consistentDigest) => {
      const { config, store } = await copyHome();
      const entries = await journal(store);
      const run = entries.findLast((e) => e.type === 'run-sealed');
      if (run === undefined) throw new Error('no run sealed');
      const digest = (run.payload['results'] as { digest: string }).digest;
      const results = JSON.parse(gunzipSync(await readFile(blobFile(store, digest))).toString('utf8')) as {
        establishments: { finess: string; indicators: { 'taux-dmp': { numerator: number } } }[];
      };
      const target = results.establishments.find((e) => e.finess === '690007356');
      expect(target?.indicators['taux-dmp'].numerator).toBe(0);
      (target as { indicators: { 'taux-dmp': { numerator: number } } }).indicators['taux-dmp'].numerator = 3;
      const forged = Buffer.from(JSON.stringify(results));
      if (consistentDigest) {
        const newDigest = `sha256:${createHash('sha256').update(forged).digest('hex')}`;
        await mkdir(join(blobFile(store, newDigest), '..'), { recursive: true });
        await writeFile(blobFile(store, newDigest), gzipSync(forged));
        const text = await readFile(join(store, 'journal.ndjson'), 'utf8');
        await writeFile(join(store, 'journal.ndjson'), text.replace(digest, newDigest));
      } else {
        await writeFile(blobFile(store, digest), gzipSync(forged));
      }
      const [verify, csv, fhir] = await Promise.all([
        esms(['verify', store]),
        esms(['export', '--format', 'csv', '--config', config]),
        esms(['export', '--format', 'fhir', '--evidence-dir', store]),
      ]);
      expect(verify.code).toBe(4);
      for (const exported of [csv, fhir]) {
        expect(exported.code, exported.stderr).toBe(4);
        expect(exported.stdout).toBe('');
        expect(exported.stderr).toContain('are not exported: the evidence does not verify');
        expect(exported.stderr).toMatch(
          consistentDigest ? /does not match its hash/ : /does not match its digest/,
        );
      }
    },
  );

  it('a bundle whose last journal line was removed, or whose MANIFEST last hash or fingerprint was edited, fails', async () => {
    const { store, dir } = await copyHome();
    const bundle = join(dir, 'preuves.tar');
    const exported = await esms(['export-evidence', '--evidence-dir', store, '--out', bundle]);
    expect(exported.code, exported.stderr).toBe(0);
    expect((await esms(['verify', bundle])).code).toBe(0);

    const repack = async (name: string, edit: (root: string) => Promise<void>): Promise<string> => {
      const work = await mkdtemp(join(dir, `${name}-`));
      execFileSync('tar', ['-xf', bundle, '-C', work]);
      await edit(join(work, 'esms-evidence'));
      const out = join(dir, `${name}.tar`);
      execFileSync('tar', ['-cf', out, '-C', work, 'esms-evidence']);
      return out;
    };
    const truncated = await repack('truncated', (root) => {
      execFileSync('sed', ['-i', '$d', join(root, 'journal.ndjson')]);
      return Promise.resolve();
    });
    const lastHash = await repack('last-hash', async (root) => {
      const text = await readFile(join(root, 'MANIFEST.txt'), 'utf8');
      await writeFile(
        join(root, 'MANIFEST.txt'),
        text.replace(/(Last entry hash\s+)[0-9a-f]{64}/, `$1${'0'.repeat(64)}`),
      );
    });
    const fingerprint = await repack('fingerprint', async (root) => {
      const text = await readFile(join(root, 'MANIFEST.txt'), 'utf8');
      await writeFile(join(root, 'MANIFEST.txt'), text.replace(/(Key fingerprint\s+)[0-9a-f]{4}/, '$1ffff'));
    });
    for (const [path, says] of [
      [truncated, /the MANIFEST says entries 2, the journal has 1/],
      [lastHash, /the MANIFEST says last entry hash 0{64}/],
      [fingerprint, /the MANIFEST says key fingerprint ffff/],
    ] as const) {
      const verify = await esms(['verify', path]);
      expect(verify.code, verify.stdout).toBe(4);
      expect(verify.stdout).toMatch(says);
      expect(verify.stdout).toContain('FAIL [manifest]');
    }
  });

  it('an unpacked bundle (tar -xf) is verified with its MANIFEST: a removed journal line fails; a store says none was checked (audit G2)', async () => {
    const { store, dir } = await copyHome();
    const bundle = join(dir, 'preuves.tar');
    expect((await esms(['export-evidence', '--evidence-dir', store, '--out', bundle])).code).toBe(0);
    const work = await mkdtemp(join(dir, 'unpacked-'));
    execFileSync('tar', ['-xf', bundle, '-C', work]);
    const whole = await esms(['verify', join(work, 'esms-evidence')]);
    expect(whole.code, whole.stdout).toBe(0);
    expect(whole.stdout).toMatch(/^MANIFEST: checked against the journal .* only these fields are trusted$/m);
    execFileSync('sed', ['-i', '$d', join(work, 'esms-evidence', 'journal.ndjson')]);
    // The store itself, or the directory it was unpacked into.
    for (const path of [join(work, 'esms-evidence'), work]) {
      const verify = await esms(['verify', path]);
      expect(verify.code, verify.stdout).toBe(4);
      expect(verify.stdout).toMatch(/FAIL \[manifest\] the MANIFEST says entries 2, the journal has 1/);
    }
    // A live store has no MANIFEST: the output says that none was checked.
    const live = await esms(['verify', store]);
    expect(live.code, live.stdout).toBe(0);
    expect(live.stdout).toMatch(/^MANIFEST: none checked \(a store directory, not an exported bundle\)$/m);
  });

  it('a MANIFEST with a field given twice, an unknown labelled line or a look-alike field is refused (audit G3)', async () => {
    const { store, dir } = await copyHome();
    const bundle = join(dir, 'preuves.tar');
    expect((await esms(['export-evidence', '--evidence-dir', store, '--out', bundle])).code).toBe(0);
    const edits: [string, (text: string) => string, RegExp][] = [
      [
        'twice-hash',
        (t) =>
          t.replace(/^(Last entry hash {2,}[0-9a-f]{64})$/m, `$1\nLast entry hash      ${'0'.repeat(64)}`),
        /"Last entry hash" is given twice/,
      ],
      [
        'twice-key',
        (t) =>
          t.replace(/^(Key fingerprint {2,}.*)$/m, `Key fingerprint      ${'ab12 '.repeat(16).trim()}\n$1`),
        /"Key fingerprint" is given twice/,
      ],
      ['unknown', (t) => t.replace(/^(Blobs .*)$/m, '$1\nSigned by            the ARS'), /unknown field/],
      [
        'look-alike',
        (t) => t.replace(/^(Blobs .*)$/m, `$1\n  Last entry hash: ${'0'.repeat(64)}`),
        /looks like the field "Last entry hash"/,
      ],
    ];
    for (const [name, edit, says] of edits) {
      const work = await mkdtemp(join(dir, `${name}-`));
      execFileSync('tar', ['-xf', bundle, '-C', work]);
      const manifest = join(work, 'esms-evidence', 'MANIFEST.txt');
      const before = await readFile(manifest, 'utf8');
      const after = edit(before);
      expect(after, name).not.toBe(before);
      await writeFile(manifest, after);
      const out = join(dir, `${name}.tar`);
      execFileSync('tar', ['-cf', out, '-C', work, 'esms-evidence']);
      const verify = await esms(['verify', out]);
      expect(verify.code, `${name}: ${verify.stdout}`).toBe(4);
      expect(verify.stdout).toContain('FAIL [manifest]');
      expect(verify.stdout).toMatch(says);
    }
  });

  it('a bundle holding a genuine store at its root and an altered one under esms-evidence/ is refused', async () => {
    const { store, dir } = await copyHome();
    const bundle = join(dir, 'preuves.tar');
    expect((await esms(['export-evidence', '--evidence-dir', store, '--out', bundle])).code).toBe(0);
    const work = await mkdtemp(join(dir, 'two-'));
    execFileSync('tar', ['-xf', bundle, '-C', work]);
    // The genuine store at the root; the copy under esms-evidence/ is altered (its last entry removed).
    for (const name of ['MANIFEST.txt', 'journal.ndjson', 'evidence-key.pub.pem'])
      await cp(join(work, 'esms-evidence', name), join(work, name));
    await cp(join(work, 'esms-evidence', 'blobs'), join(work, 'blobs'), { recursive: true });
    execFileSync('sed', ['-i', '$d', join(work, 'esms-evidence', 'journal.ndjson')]);
    const two = join(dir, 'two-stores.tar');
    execFileSync('tar', ['-cf', two, '-C', work, '.']);
    const verify = await esms(['verify', two]);
    expect(verify.code).toBe(4);
    expect(verify.stdout).toContain('FAIL [bundle]');
    expect(verify.stdout).toMatch(/besides the one store a bundle has/);
    expect(verify.stdout).not.toMatch(/^VERIFIED:/m);
  });

  it.each([1000, 3000])(
    'a journal payload %i levels deep: exit 4 naming the entry, never a RangeError',
    async (depth) => {
      const { store } = await copyHome();
      const lines = (await readFile(join(store, 'journal.ndjson'), 'utf8'))
        .split('\n')
        .filter((l) => l !== '');
      const first = JSON.parse(lines[0] ?? '{}') as { payload: Record<string, unknown> };
      first.payload['periods'] = JSON.parse(`${'['.repeat(depth)}${']'.repeat(depth)}`) as unknown;
      lines[0] = JSON.stringify(first);
      await writeFile(join(store, 'journal.ndjson'), `${lines.join('\n')}\n`);
      const [verify, json] = await Promise.all([
        esms(['verify', store]),
        esms(['verify', store, '--format', 'json']),
      ]);
      expect(verify.code, verify.stderr).toBe(4);
      expect(verify.stderr + verify.stdout).not.toContain('RangeError');
      expect(verify.stdout).toMatch(/journal line 1 .* is unreadable: nested deeper than 64 levels/);
      expect(json.code).toBe(4);
    },
  );

  it('no DUI record id nor local path in clear in the store nor in either bundle format; findings carry pseudonyms in id/related', async () => {
    const { store, dir } = await copyHome();
    const entries = await journal(store);
    const run = entries.find((e) => e.type === 'run-sealed');
    const results = JSON.parse(
      gunzipSync(
        await readFile(blobFile(store, (run?.payload['results'] as { digest: string }).digest)),
      ).toString('utf8'),
    ) as { dataQuality: { errors: Record<string, unknown>[]; warnings: Record<string, unknown>[] } };
    const findings = [...results.dataQuality.errors, ...results.dataQuality.warnings];
    const duplicate = findings.find((f) => f['code'] === 'duplicate-person');
    expect(duplicate?.['resourceType']).toBe('Patient');
    expect(duplicate?.['id']).toMatch(/^p:/);
    expect(duplicate?.['related']).toEqual([expect.stringMatching(/^Patient\/p:/)]);
    expect(findings.map((f) => f['code'])).toEqual(
      expect.arrayContaining(['unknown-subject', 'invalid-resource']),
    );
    for (const f of findings.filter((f) => typeof f['id'] === 'string' && !String(f['id']).startsWith('(')))
      expect(f['id']).toMatch(/^p:/);

    // Files are named relative to the configured source directory, never by the machine's path (audit G10).
    expect(findings.filter((f) => f['location'] !== undefined).map((f) => f['location'])).toContainEqual(
      expect.objectContaining({ input: 'Extra.000.ndjson' }),
    );
    const storeText = await allEvidenceText(store);
    for (const id of CLEAR_IDS) expect(storeText, id).not.toContain(id);
    expect(storeText).not.toContain(join(scratch, 'input'));
    for (const name of ['preuves.tar', 'preuves.tar.gz']) {
      const bundle = join(dir, name);
      expect((await esms(['export-evidence', '--evidence-dir', store, '--out', bundle])).code).toBe(0);
      const out = await mkdtemp(join(dir, 'x-'));
      execFileSync('tar', [name.endsWith('.gz') ? '-xzf' : '-xf', bundle, '-C', out]);
      const text = await allEvidenceText(out);
      expect(text).toContain('duplicate-person');
      for (const id of CLEAR_IDS) expect(text, `${id} in ${name}`).not.toContain(id);
      expect(text).not.toContain(join(scratch, 'input'));
    }
  });

  it('a 64 MiB gzip bomb is refused before any of it is written (exit 4 naming the limit)', async () => {
    const dir = await mkdtemp(join(scratch, 'bomb-'));
    const header = Buffer.alloc(512, 0);
    const member = 'esms-evidence/journal.ndjson';
    header.write(member, 0);
    header.write('0000644\0', 100);
    header.write('0000000\0', 108);
    header.write('0000000\0', 116);
    header.write(`${(64 * 1024 * 1024).toString(8).padStart(11, '0')}\0`, 124);
    header.write('00000000000\0', 136);
    header.fill(0x20, 148, 156);
    header.write('0', 156);
    header.write('ustar\u000000', 257);
    let sum = 0;
    for (const byte of header) sum += byte;
    header.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148);
    const bomb = join(dir, 'bomb.tar.gz');
    await writeFile(
      bomb,
      gzipSync(Buffer.concat([header, Buffer.alloc(64 * 1024 * 1024), Buffer.alloc(1024)])),
    );
    expect((await readFile(bomb)).length).toBeLessThan(200 * 1024);
    const verify = await esms(['verify', bomb]);
    expect(verify.code).toBe(4);
    expect(verify.stdout).toMatch(
      /journal\.ndjson \(67108864 bytes\) would make the extraction write more than .* gzip bomb\?\); nothing of it was written/,
    );
  });
});
