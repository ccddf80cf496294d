import { parseArgs } from 'node:util';
import { DATASET_SIZES, type DatasetSize } from './establishments.js';
import { ToolsError } from './errors.js';
import { DEFAULT_MEASURE_DATE, DEFAULT_SEED, DEFAULT_SIZE } from './generate.js';

export const GENERATE_USAGE =
  'usage: pnpm generate -- [--size S|M|L|XL] [--seed N] [--out DIR] [--measure-date YYYY-MM-DD] [--persons N] [--no-progress] [--help]';
const USAGE = GENERATE_USAGE;

export interface GenerateArgs {
  size: DatasetSize;
  seed: number;
  outDir: string;
  measureDate: string;
  persons?: number;
  /** `--no-progress`: no status line and no phase lines on standard error. */
  progress: boolean;
  /** `--help`: print the usage and exit 0. */
  help: boolean;
}

/** Parses `pnpm generate` arguments (a leading `--` from pnpm is ignored). */
export function parseGenerateArgs(argv: string[]): GenerateArgs {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv.filter((a) => a !== '--'),
      options: {
        size: { type: 'string', default: DEFAULT_SIZE },
        seed: { type: 'string', default: String(DEFAULT_SEED) },
        out: { type: 'string' },
        'measure-date': { type: 'string', default: DEFAULT_MEASURE_DATE },
        persons: { type: 'string' },
        'no-progress': { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
      strict: true,
    }));
  } catch (cause) {
    throw new ToolsError('bad-usage', `${cause instanceof Error ? cause.message : String(cause)}\n${USAGE}`, {
      cause,
    });
  }
  const size = values.size.toUpperCase() as DatasetSize;
  if (!DATASET_SIZES.includes(size))
    throw new ToolsError('bad-usage', `unknown size ${values.size}\n${USAGE}`);
  const seed = Number(values.seed);
  if (!Number.isInteger(seed) || seed < 0)
    throw new ToolsError('bad-usage', `seed must be a non-negative integer\n${USAGE}`);
  const measureDate = values['measure-date'];
  if (!/^\d{4}-\d{2}-\d{2}$/.test(measureDate))
    throw new ToolsError('bad-usage', `measure date must be YYYY-MM-DD\n${USAGE}`);
  const parsed = {
    size,
    seed,
    outDir: values.out ?? `.bench-data/${size}-${seed}`,
    measureDate,
    progress: !values['no-progress'],
    help: values.help,
  };
  if (values.persons === undefined) return parsed;
  const persons = Number(values.persons);
  if (!Number.isInteger(persons) || persons < 1)
    throw new ToolsError('bad-usage', `persons must be a positive integer\n${USAGE}`);
  return { ...parsed, persons };
}
