import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ResultsDocument } from '@esms-numerique/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { esms, killChildren, REPO_ROOT } from './support/processes.js';

// An input that holds one record twice (one Type/id, two meta.lastUpdated: the latest wins) must seal
// evidence that verifies: the columnar projection keeps which record each fact belongs to (the facts that
// follow a `record` fact are that record's). Grouping facts by kind lost that link, and `esms verify`
// recomputed other figures from the sealed projection than the run had sealed (exit 4).
const FIXTURE = join(REPO_ROOT, 'packages/agent/src/sources/__fixtures__/dui-small-ndjson');
const MEASURE_DATE = '2024-04-01';
const FINESS = '970400024';
let scratch: string;
let input: string;
let config: string;

beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'esms-e2e-duplicate-'));
  input = join(scratch, 'input');
  await cp(FIXTURE, input, { recursive: true });
  const encounters = join(input, 'Encounter.000.ndjson');
  const text = await readFile(encounters, 'utf8');
  const original = text.split('\n').find((l) => l.includes('"id":"sej-2"'));
  expect(original).toBeDefined();
  // A later version of sej-2 that cancels the séjour, appended after the other records.
  const cancelled = (original as string)
    .replace(/"lastUpdated":"[^"]*"/, '"lastUpdated":"2024-06-01T00:00:00Z"')
    .replace(/"status":"[^"]*"/, '"status":"cancelled"');
  await writeFile(encounters, `${text.endsWith('\n') ? text : `${text}\n`}${cancelled}\n`);
  config = join(scratch, 'esms.config.yaml');
  await writeFile(
    config,
    [
      `establishments: [{ finess: "${FINESS}" }]`,
      'sources:',
      `  - { type: ndjson, paths: [${JSON.stringify(input)}] }`,
      'ars: null',
      `dataDir: ${JSON.stringify(join(scratch, 'data'))}`,
      'logging: { format: json, level: warn }',
      '',
    ].join('\n'),
  );
});
afterAll(async () => {
  await killChildren();
  await rm(scratch, { recursive: true, force: true });
});

const compute = async (dir: string): Promise<ResultsDocument> => {
  const run = await esms(['compute', '--input', dir, '--measure-date', MEASURE_DATE, '--format', 'json']);
  expect(run.code, run.stderr).toBe(0);
  return JSON.parse(run.stdout) as ResultsDocument;
};

describe('a record in the input twice (two versions), through the CLI', () => {
  it('run-once seals evidence that verifies (exit 0), with the figures esms compute gives', async () => {
    const [withDuplicate, withoutDuplicate] = await Promise.all([compute(input), compute(FIXTURE)]);
    const figures = (doc: ResultsDocument): string[] =>
      doc.establishments
        .filter((e) => e.finess === FINESS)
        .flatMap((e) =>
          Object.entries(
            e.indicators as unknown as Record<string, { numerator?: unknown; denominator?: unknown }>,
          )
            .filter(([, v]) => typeof v.numerator === 'number')
            .map(([id, v]) => `${e.finess},${id},${String(v.numerator)},${String(v.denominator)}`),
        )
        .sort();
    // The later version changes a figure (else this test could not tell the versions apart).
    expect(figures(withDuplicate)).not.toEqual(figures(withoutDuplicate));

    // A run never creates the evidence keys (esms init does): as an installation would.
    expect((await esms(['init', '--keys-only', '--config', config])).code).toBe(0);
    const run = await esms(['run-once', '--config', config, '--measure-date', MEASURE_DATE, '--no-progress']);
    expect(run.code, run.stderr).toBe(0);
    const verify = await esms(['verify', join(scratch, 'data', 'evidence')]);
    expect(verify.code, verify.stdout).toBe(0);
    expect(verify.stdout).not.toContain('FAIL');
    expect(verify.stdout).toMatch(/^VERIFIED:/m);

    // `esms export` prints only verified figures: they are those of `esms compute` on the same input.
    const exported = await esms(['export', '--config', config, '--format', 'csv']);
    expect(exported.code, exported.stderr).toBe(0);
    const [header, ...rows] = exported.stdout.split('\n').filter((l) => l !== '');
    const columns = (header ?? '').split(',');
    const at = (name: string): number => columns.indexOf(name);
    const verified = rows
      .map((row) => row.split(','))
      // The rates (the other rows, file active and VA readiness, have no numerator).
      .filter((c) => c[at('numerator')] !== '')
      .map((c) => [c[at('finess')], c[at('indicator')], c[at('numerator')], c[at('denominator')]].join(','))
      .sort();
    expect(verified.length).toBeGreaterThanOrEqual(4);
    expect(verified).toEqual(figures(withDuplicate));
  });
});
