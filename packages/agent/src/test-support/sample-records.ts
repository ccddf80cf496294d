import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** examples/sample-data: 60 persons, 5 ESSMS of 3 organismes gestionnaires (the demo's data). */
export const SAMPLE_DATA_DIR = fileURLToPath(new URL('../../../../examples/sample-data/', import.meta.url));

/** Every record of the sample data's NDJSON files, parsed, in file-name order as `readdirSync` lists them. */
export function sampleRecords(): unknown[] {
  return readdirSync(SAMPLE_DATA_DIR)
    .filter((n) => n.endsWith('.ndjson'))
    .flatMap((n) =>
      readFileSync(join(SAMPLE_DATA_DIR, n), 'utf8')
        .split('\n')
        .filter((l) => l !== '')
        .map((l) => JSON.parse(l) as unknown),
    );
}
