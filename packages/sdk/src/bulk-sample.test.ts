import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { computeIndicatorsSync, createEngine, type Computation } from './index.js';

/**
 * The Synthea bulk-export sample (10 patients, ≈10 MB, CC0) kept in the shared reference folder beside the
 * repository (`../shared/reference/bulk-sample`, see its README): real FHIR R4 data nobody here wrote, from a
 * hospital-style generator, with no FINESS, no TDDUI profile and no usage event. Read in place, not copied.
 */
const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const BULK_DIR = resolve(REPO_ROOT, '../shared/reference/bulk-sample');

function* ndjsonRecords(files: string[]): Generator<unknown> {
  for (const file of files) {
    for (const line of readFileSync(join(BULK_DIR, file), 'utf8').split('\n')) {
      if (line.trim().length > 0) yield JSON.parse(line) as unknown;
    }
  }
}

describe('Synthea bulk sample', () => {
  const resourceFiles = readdirSync(BULK_DIR)
    .filter((f) => /^[A-Z]\w+\.\d{3}\.ndjson$/.test(f))
    .sort();

  // Synthea's last encounters start in March 2023: measure so that some fall in P. Computed once (≈1 s).
  let forward: Computation | undefined;
  const computeForward = (): Computation =>
    (forward ??= computeIndicatorsSync(ndjsonRecords(resourceFiles), { measureDate: '2023-04-01' }));

  it('is read completely without throwing, and says why nothing can be attributed to an ESSMS', () => {
    expect(resourceFiles.length).toBeGreaterThanOrEqual(13);
    const c = computeForward();
    expect(c.results.establishments).toEqual([]);
    expect(c.results.organisations).toEqual([]);
    const codes = new Map<string, number>();
    for (const f of c.results.dataQuality.errors) codes.set(f.code, (codes.get(f.code) ?? 0) + 1);
    // Every Encounter has a serviceProvider and no partOf, so each is a séjour candidate (the fallback) whose
    // provider, an Organization without a FINESS, is not an ESSMS: 1215 Encounters in the sample's README.
    expect(Object.fromEntries(codes)).toEqual({ 'unknown-establishment': 1215 });
    expect(c.results.dataQuality.errors.every((f) => f.resourceType === 'Encounter')).toBe(true);
  });

  it('in reverse order gives the same findings', () => {
    const backward = computeIndicatorsSync(ndjsonRecords([...resourceFiles].reverse()), {
      measureDate: '2023-04-01',
    });
    const ids = (c: Computation) => c.results.dataQuality.errors.map((f) => `${f.code}:${f.id}`).sort();
    expect(ids(backward)).toEqual(ids(computeForward()));
  });

  it('the export log (not FHIR resources) is reported line by line as invalid-resource', () => {
    const engine = createEngine({ measureDate: '2023-04-01' });
    let lines = 0;
    for (const record of ndjsonRecords(['log.ndjson'])) {
      engine.add(record);
      lines++;
    }
    const c = engine.finish();
    expect(lines).toBe(4);
    expect(c.results.dataQuality.errors.map((f) => f.code)).toEqual(
      Array<string>(4).fill('invalid-resource'),
    );
  });
});
