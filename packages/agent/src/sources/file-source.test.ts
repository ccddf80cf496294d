import { mkdtemp, rm, writeFile } from 'node:fs/promises';
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
    // The export's error file is not records, but the input is incomplete: said once, with the file.
    expect(items.filter((item) => item.kind === 'problem')).toEqual([
      {
        kind: 'problem',
        problem: {
          location: fixture('bulk-export-with-manifest/errors.ndjson'),
          reason: 'the bulk export reports errors in this file: some records may be missing',
        },
      },
    ]);
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

  it('throws input-unreadable naming a file the manifest lists but the directory lacks', async () => {
    const directory = await mkdtemp(path.join(tmpdir(), 'esms-manifest-'));
    try {
      await writeFile(
        path.join(directory, 'manifest.json'),
        JSON.stringify({ output: [{ type: 'Patient', url: 'https://dui.example/bulk/Patient.000.ndjson' }] }),
      );
      const error = await collect(createFileSource({ paths: [directory] })).catch(
        (caught: unknown) => caught,
      );
      expect(isInputUnreadableError(error) && error.path === path.join(directory, 'Patient.000.ndjson')).toBe(
        true,
      );
      expect((error as Error).message).toContain('listed in the bulk manifest (output[0]) but missing');
    } finally {
      await rm(directory, { recursive: true, force: true });
    }
  });
});
