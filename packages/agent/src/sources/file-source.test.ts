import { mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createFileSource } from './file-source.js';
import { isInputUnreadableError } from './input-unreadable-error.js';
import type { RecordSource, SourceItem } from './source.js';

const fixtures = fileURLToPath(new URL('./__fixtures__/', import.meta.url));
const fixture = (name: string): string => path.join(fixtures, name);

async function collect(source: RecordSource, signal?: AbortSignal): Promise<SourceItem[]> {
  const out: SourceItem[] = [];
  for await (const item of source.records(signal)) out.push(item);
  return out;
}

/** `Type/id` of each record, in the order they came. */
function keys(items: SourceItem[]): string[] {
  return items.flatMap((item) => {
    if (item.kind !== 'record') return [];
    const value = item.value as { resourceType?: string; id?: string; eventId?: string };
    return [
      value.resourceType === undefined
        ? `(not a resource: ${value.eventId})`
        : `${value.resourceType}/${value.id}`,
    ];
  });
}

describe('createFileSource', () => {
  it('reads a bulk export directory exactly as its manifest lists, Organization and Patient first', async () => {
    const items = await collect(createFileSource({ paths: [fixture('bulk-export-with-manifest')] }));
    expect(keys(items)).toEqual([
      'Organization/org-ehpad',
      'Patient/pat-1',
      'Patient/pat-2',
      'Encounter/sej-1',
      'Encounter/sej-2',
    ]);
    // The export's error file is not records, but it reports errors: the input is incomplete, said once.
    expect(items.filter((item) => item.kind !== 'record')).toEqual([
      {
        kind: 'incomplete',
        incomplete: {
          input: fixture('bulk-export-with-manifest/errors.ndjson'),
          reason: 'export-errors',
          detail: 'the bulk export reports errors in this file: some records were not exported',
          read: {},
        },
      },
    ]);
  });

  it('an export whose error file reports only warnings is complete (a problem names them)', async () => {
    const directory = await mkdtemp(path.join(tmpdir(), 'esms-manifest-'));
    try {
      await writeFile(
        path.join(directory, 'manifest.json'),
        JSON.stringify({ output: [], error: [{ type: 'OperationOutcome', url: 'errors.ndjson' }] }),
      );
      await writeFile(
        path.join(directory, 'errors.ndjson'),
        `${JSON.stringify({ resourceType: 'OperationOutcome', issue: [{ severity: 'warning', code: 'informational' }] })}\n`,
      );
      expect(await collect(createFileSource({ paths: [directory] }))).toEqual([
        {
          kind: 'problem',
          problem: {
            location: path.join(directory, 'errors.ndjson'),
            reason: 'the bulk export reports warnings in this file',
          },
        },
      ]);
    } finally {
      await rm(directory, { recursive: true, force: true });
    }
  });

  it('reads every NDJSON file of a directory without a manifest, Organization, Patient, then by name', async () => {
    const items = await collect(createFileSource({ paths: [fixture('bulk-export-without-manifest')] }));
    expect(keys(items)).toEqual([
      'Organization/org-ehpad',
      'Patient/pat-1',
      'AuditEvent/ae-1',
      'Encounter/sej-1',
      '(not a resource: kickoff)',
    ]);
  });

  it('yields a Bundle file and a single-resource file whole, ordered across paths', async () => {
    const source = createFileSource({
      paths: [
        fixture('bundle-collection.json'),
        fixture('bulk-export-without-manifest/Patient.000.ndjson'),
        fixture('single-organization.json'),
      ],
    });
    const items = await collect(source);
    expect(
      items.map((item) =>
        item.kind === 'record' ? (item.value as { resourceType: string }).resourceType : 'problem',
      ),
    ).toEqual(['Patient', 'Bundle', 'Organization']);
    const bundle = items[1];
    expect(bundle?.kind === 'record' && (bundle.value as { entry: unknown[] }).entry.length).toBe(2);
    expect(source.label).toBe('files:3 paths');
  });

  it('throws input-unreadable naming a missing path before yielding anything', async () => {
    const missing = fixture('no-such-export');
    const seen: SourceItem[] = [];
    const error = await (async () => {
      for await (const item of createFileSource({
        paths: [fixture('bulk-export-without-manifest'), missing],
      }).records())
        seen.push(item);
    })().catch((caught: unknown) => caught);
    expect(isInputUnreadableError(error) && error.path === missing && error.code === 'input-unreadable').toBe(
      true,
    );
    expect(seen).toEqual([]);
  });

  it('refuses a file that is neither NDJSON nor JSON', async () => {
    const readme = fixture('bulk-export-without-manifest/README.md');
    const error = await collect(createFileSource({ paths: [readme] })).catch((caught: unknown) => caught);
    expect(isInputUnreadableError(error) && error.path === readme).toBe(true);
  });

  it('a file the manifest lists but the directory lacks is an incomplete input; the other files are read', async () => {
    const directory = await mkdtemp(path.join(tmpdir(), 'esms-manifest-'));
    try {
      await writeFile(
        path.join(directory, 'manifest.json'),
        JSON.stringify({
          output: [
            { type: 'Patient', url: 'https://dui.example/bulk/Patient.000.ndjson' },
            { type: 'Organization', url: 'Organization.000.ndjson' },
          ],
        }),
      );
      await writeFile(
        path.join(directory, 'Organization.000.ndjson'),
        `${JSON.stringify({ resourceType: 'Organization', id: 'o' })}\n`,
      );
      const items = await collect(createFileSource({ paths: [directory] }));
      expect(keys(items)).toEqual(['Organization/o']);
      expect(items.filter((item) => item.kind === 'incomplete')).toEqual([
        {
          kind: 'incomplete',
          incomplete: {
            input: path.join(directory, 'Patient.000.ndjson'),
            reason: 'listed-file-missing',
            detail: 'listed in the bulk manifest (output[0]) but missing: none of its records were read',
            read: { lines: 0, bytes: 0 },
          },
        },
      ]);
    } finally {
      await rm(directory, { recursive: true, force: true });
    }
  });

  it.each([
    [
      'not JSON',
      '{"output": [',
      "the bulk manifest is not valid JSON: the directory's files were read as if it had none",
    ],
    [
      'without output',
      '{"transactionTime": "2024-04-01T02:00:00Z"}',
      'the bulk manifest has no "output" array: the directory\'s files were read as if it had none',
    ],
  ])(
    'a manifest %s is an incomplete input: its directory is read as without one, other paths too',
    async (_name, text, detail) => {
      const directory = await mkdtemp(path.join(tmpdir(), 'esms-manifest-'));
      try {
        await writeFile(path.join(directory, 'manifest.json'), text);
        await writeFile(
          path.join(directory, 'Patient.000.ndjson'),
          `${JSON.stringify({ resourceType: 'Patient', id: 'p' })}\n`,
        );
        const items = await collect(
          createFileSource({
            paths: [directory, fixture('bulk-export-without-manifest/Organization.000.ndjson')],
          }),
        );
        expect(keys(items)).toEqual(['Organization/org-ehpad', 'Patient/p']);
        expect(items.filter((item) => item.kind === 'incomplete')).toEqual([
          {
            kind: 'incomplete',
            incomplete: {
              input: path.join(directory, 'manifest.json'),
              reason: 'manifest-invalid',
              detail,
              read: {},
            },
          },
        ]);
      } finally {
        await rm(directory, { recursive: true, force: true });
      }
    },
  );
});

describe('a directory with a file that cannot be read (audit G6)', () => {
  it('a broken symbolic link is an incomplete input naming it; the other files are read', async () => {
    const directory = await mkdtemp(path.join(tmpdir(), 'esms-broken-link-'));
    try {
      await writeFile(
        path.join(directory, 'Patient.000.ndjson'),
        `${JSON.stringify({ resourceType: 'Patient', id: 'p' })}\n`,
      );
      await symlink(path.join(directory, 'gone.ndjson'), path.join(directory, 'Encounter.000.ndjson'));
      const items = await collect(createFileSource({ paths: [directory] }));
      expect(keys(items)).toEqual(['Patient/p']);
      expect(items.filter((item) => item.kind === 'incomplete')).toEqual([
        {
          kind: 'incomplete',
          incomplete: {
            input: path.join(directory, 'Encounter.000.ndjson'),
            reason: 'unreadable',
            detail: 'cannot be read (no such file or directory): none of its records were read',
            read: { bytes: 0 },
          },
        },
      ]);
    } finally {
      await rm(directory, { recursive: true, force: true });
    }
  });
});

describe('an input cut short is incomplete, never one bad record (audit G1)', () => {
  it('a .json Bundle cut at any point is an incomplete input, whatever error JSON.parse gives', async () => {
    const directory = await mkdtemp(path.join(tmpdir(), 'esms-cut-bundle-'));
    try {
      const bundle = JSON.stringify({
        resourceType: 'Bundle',
        type: 'collection',
        entry: Array.from({ length: 5 }, (_, i) => ({
          fullUrl: `urn:uuid:${i}`,
          resource: { resourceType: 'Patient', id: `p${i}`, birthDate: '1950-01-01', active: true },
        })),
      });
      const cuts = Array.from({ length: 8 }, (_, i) => Math.floor((bundle.length * (i + 1)) / 9));
      cuts.push(bundle.length - 40);
      for (const cut of cuts) {
        const file = path.join(directory, `cut-${cut}.json`);
        await writeFile(file, bundle.slice(0, cut));
        const items = await collect(createFileSource({ paths: [file] }));
        expect(items, `cut at ${cut}`).toEqual([
          {
            kind: 'incomplete',
            incomplete: expect.objectContaining({
              input: file,
              reason: expect.stringMatching(/^(truncated|invalid-json)$/) as unknown,
              read: { bytes: cut },
            }) as unknown,
          },
        ]);
      }
    } finally {
      await rm(directory, { recursive: true, force: true });
    }
  });

  it('a manifest count above the lines a file holds is an incomplete input; equal counts are complete', async () => {
    const directory = await mkdtemp(path.join(tmpdir(), 'esms-count-'));
    try {
      const line = (id: string): string => `${JSON.stringify({ resourceType: 'Patient', id })}\n`;
      await writeFile(path.join(directory, 'Patient.000.ndjson'), line('a') + '\n' + line('b'));
      await writeFile(path.join(directory, 'Organization.000.ndjson'), `{"resourceType":"Organization"`);
      const manifest = (patients: number): string =>
        JSON.stringify({
          output: [
            { type: 'Patient', url: 'Patient.000.ndjson', count: patients },
            { type: 'Organization', url: 'Organization.000.ndjson', count: 'many' },
          ],
        });
      await writeFile(path.join(directory, 'manifest.json'), manifest(2));
      const complete = await collect(createFileSource({ paths: [directory] }));
      expect(keys(complete)).toEqual(['Patient/a', 'Patient/b']);
      // The Organization file is cut mid-line; its `count` is not a number and is ignored.
      expect(complete.filter((item) => item.kind === 'incomplete')).toEqual([
        {
          kind: 'incomplete',
          incomplete: {
            input: path.join(directory, 'Organization.000.ndjson'),
            reason: 'truncated',
            detail: 'the last line has no newline and is not valid JSON: the file was cut',
            read: { lines: 0, bytes: 0 },
          },
        },
      ]);
      await writeFile(path.join(directory, 'manifest.json'), manifest(2557));
      const short = await collect(createFileSource({ paths: [directory] }));
      expect(keys(short)).toEqual(['Patient/a', 'Patient/b']);
      expect(
        short.filter((item) => item.kind === 'incomplete').map((item) => item.incomplete),
      ).toContainEqual({
        input: path.join(directory, 'Patient.000.ndjson'),
        reason: 'fewer-than-declared',
        detail: 'the bulk manifest declares 2557 resources, the file holds 2',
        read: { lines: 3, bytes: 73 },
      });
    } finally {
      await rm(directory, { recursive: true, force: true });
    }
  });
});
