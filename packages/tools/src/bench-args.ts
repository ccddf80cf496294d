import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { DEFAULT_BENCH_RUNS, DEFAULT_BENCH_SIZES, type BenchOptions } from './bench.js';
import { DATASET_SIZES, type DatasetSize } from './establishments.js';
import { ToolsError } from './errors.js';
import { DEFAULT_MEASURE_DATE, DEFAULT_SEED } from './generate.js';

const USAGE =
  'usage: pnpm bench -- [--sizes M,L] [--xl] [--runs 3] [--seed 1] [--data-dir .bench-data] [--measure-date 2024-04-01]';

/** Parses `pnpm bench` arguments (a leading `--` from pnpm is ignored). */
export function parseBenchArgs(argv: string[], repoRoot: string): BenchOptions {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv.filter((a) => a !== '--'),
      options: {
        sizes: { type: 'string' },
        xl: { type: 'boolean', default: false },
        runs: { type: 'string', default: String(DEFAULT_BENCH_RUNS) },
        seed: { type: 'string', default: String(DEFAULT_SEED) },
        'data-dir': { type: 'string' },
        'measure-date': { type: 'string', default: DEFAULT_MEASURE_DATE },
      },
      strict: true,
    }));
  } catch (cause) {
    throw new ToolsError('bad-usage', `${cause instanceof Error ? cause.message : String(cause)}\n${USAGE}`, {
      cause,
    });
  }
  const sizes =
    values.sizes === undefined
      ? [...DEFAULT_BENCH_SIZES]
      : values.sizes.split(',').map((s) => s.trim().toUpperCase());
  for (const size of sizes) {
    if (!DATASET_SIZES.includes(size as DatasetSize))
      throw new ToolsError('bad-usage', `unknown size ${size}\n${USAGE}`);
  }
  if (values.xl && !sizes.includes('XL')) sizes.push('XL');
  const runs = Number(values.runs);
  const seed = Number(values.seed);
  if (!Number.isInteger(runs) || runs < 1)
    throw new ToolsError('bad-usage', `runs must be a positive integer\n${USAGE}`);
  if (!Number.isInteger(seed) || seed < 0)
    throw new ToolsError('bad-usage', `seed must be a non-negative integer\n${USAGE}`);
  if (!/^\d{4}-\d{2}-\d{2}$/.test(values['measure-date']))
    throw new ToolsError('bad-usage', `measure date must be YYYY-MM-DD\n${USAGE}`);
  return {
    sizes: sizes as DatasetSize[],
    runs,
    seed,
    measureDate: values['measure-date'],
    dataDir: resolve(values['data-dir'] ?? resolve(repoRoot, '.bench-data')),
    repoRoot,
  };
}
