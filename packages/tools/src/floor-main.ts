#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { listNdjsonByType } from './duckdb-baseline.js';
import { loadFloorReader } from './ndjson-floor-reader.js';

/**
 * Child-process entry of the FLOOR: reads every NDJSON file of `--input` line by line with the engine's
 * reader and `JSON.parse`, and nothing else. No engine can read the same files faster than this.
 */
async function main(): Promise<void> {
  const { values } = parseArgs({
    args: process.argv.slice(2),
    options: { input: { type: 'string' } },
    strict: true,
  });
  if (values.input === undefined) {
    process.stderr.write('usage: floor-main --input DIR\n');
    process.exitCode = 2;
    return;
  }
  const reader = await loadFloorReader();
  const files = [...(await listNdjsonByType(values.input)).values()].flat();
  let records = 0;
  let problems = 0;
  for (const file of files) {
    for await (const batch of reader.read(file)) {
      for (const item of batch) {
        if (item.kind === 'record') records++;
        else problems++;
      }
    }
  }
  process.stdout.write(
    `${JSON.stringify({ reader: reader.name, files: files.length, records, problems })}\n`,
  );
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
