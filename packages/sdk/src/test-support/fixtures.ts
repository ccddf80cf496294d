import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Computation } from '../finalize.js';
import type { ComputeOptions } from '../options.js';

/** Folder of the FHIR fixtures, each named by the scenario it shows. */
export const FIXTURES_DIR = fileURLToPath(new URL('../__fixtures__/', import.meta.url));

/** The expected result stored beside a fixture (`<scenario>.expected.json`). */
export interface ExpectedResult {
  scenario: string;
  options: ComputeOptions;
  /** A subset of the results document (without dataQuality), compared with `toMatchObject`. */
  results: Record<string, unknown>;
  /** `[code, id]` pairs (id `null` for findings without one), compared as sorted lists. */
  dataQuality: { errors: [string, string | null][]; warnings: [string, string | null][] };
}

export function readJson(path: string): unknown {
  return JSON.parse(readFileSync(path, 'utf8')) as unknown;
}

export function readFixture(name: string): unknown {
  return readJson(join(FIXTURES_DIR, `${name}.json`));
}

export function readExpected(name: string): ExpectedResult {
  return readJson(join(FIXTURES_DIR, `${name}.expected.json`)) as ExpectedResult;
}

/** Scenarios: every `<name>.json` at the top of `__fixtures__/` that has a `<name>.expected.json`. */
export function scenarioNames(): string[] {
  const files = new Set(readdirSync(FIXTURES_DIR));
  return [...files]
    .filter(
      (f) =>
        f.endsWith('.json') &&
        !f.endsWith('.expected.json') &&
        files.has(f.replace(/\.json$/, '.expected.json')),
    )
    .map((f) => f.replace(/\.json$/, ''))
    .sort();
}

/** The published TDDUI example resources (`__fixtures__/tddui/*.json`), in file-name order. */
export function tdduiExamples(): Record<string, unknown>[] {
  const dir = join(FIXTURES_DIR, 'tddui');
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => readJson(join(dir, f)) as Record<string, unknown>);
}

/** Data-quality findings as sorted `[code, id]` pairs, comparable with `ExpectedResult.dataQuality`. */
export function findingPairs(computation: Computation): ExpectedResult['dataQuality'] {
  const pairs = (list: { code: string; id?: string }[]): [string, string | null][] =>
    list
      .map((f): [string, string | null] => [f.code, f.id ?? null])
      .sort((a, b) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : 1));
  return {
    errors: pairs(computation.results.dataQuality.errors),
    warnings: pairs(computation.results.dataQuality.warnings),
  };
}
