#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { computeBaseline } from './duckdb-baseline.js';
import { isToolsError } from './errors.js';

/**
 * Child-process entry of the PEER baseline: `node duckdb-main.js --input DIR --measure-date D`.
 * Prints the baseline result as one JSON document on stdout; the time measured by the bench includes
 * DuckDB's start-up and the loading of the NDJSON files.
 */
async function main(): Promise<void> {
  const { values } = parseArgs({
    args: process.argv.slice(2),
    options: {
      input: { type: 'string' },
      'measure-date': { type: 'string' },
      'no-cancelled-events': { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (values.input === undefined || values['measure-date'] === undefined) {
    process.stderr.write('usage: duckdb-main --input DIR --measure-date YYYY-MM-DD\n');
    process.exitCode = 2;
    return;
  }
  const result = await computeBaseline(values.input, values['measure-date'], {
    countCancelledEvents: !values['no-cancelled-events'],
  });
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = isToolsError(error) && error.code === 'bad-usage' ? 2 : 1;
});
