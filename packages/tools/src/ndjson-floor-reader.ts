import { createReadStream, existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { pathToFileURL } from 'node:url';

/** One parsed line, or a line that was not JSON (the same shape as the agent's `SourceItem`). */
export type FloorItem = { kind: 'record'; value: unknown } | { kind: 'problem'; problem: unknown };
/** Items by arrays (the agent's reader yields them by batches, as the engine reads them). */
export type NdjsonLineReader = (file: string) => AsyncIterable<readonly FloorItem[]>;

/**
 * The FLOOR's reader: the agent's own `readNdjsonBatches` (packages/agent/src/sources/ndjson-lines.ts, built),
 * by batches as the engine's readers use it, so that the floor pays exactly the engine's reading and parsing
 * cost and not an async step per record the engine no longer pays. Loaded from the agent's build at
 * run time because the agent package exports only its public API; when the build is missing, a plain
 * `readline` + `JSON.parse` reader stands in and the bench says so.
 */
export async function loadFloorReader(): Promise<{ name: string; read: NdjsonLineReader }> {
  try {
    const require = createRequire(import.meta.url);
    const agentDir = dirname(require.resolve('@esms-numerique/agent/package.json'));
    const modulePath = join(agentDir, 'dist', 'sources', 'ndjson-lines.js');
    if (existsSync(modulePath)) {
      const loaded = (await import(pathToFileURL(modulePath).href)) as { readNdjsonBatches?: unknown };
      if (typeof loaded.readNdjsonBatches === 'function') {
        const readNdjsonBatches = loaded.readNdjsonBatches as (file: string) => AsyncIterable<FloorItem[]>;
        return { name: 'agent readNdjsonBatches', read: (file) => readNdjsonBatches(file) };
      }
    }
  } catch {
    // Fall through to the stand-in reader below; the bench reports which reader it used.
  }
  return {
    name: 'tools readline fallback',
    read: async function* (file) {
      for await (const item of readLinesWithReadline(file)) yield [item];
    },
  };
}

/** A plain NDJSON reader: `readline` over a 1 MiB read stream, `JSON.parse` per non-blank line. */
export async function* readLinesWithReadline(file: string): AsyncGenerator<FloorItem> {
  const lines = createInterface({
    input: createReadStream(file, { highWaterMark: 1 << 20 }),
    crlfDelay: Infinity,
  });
  let lineNumber = 0;
  for await (const line of lines) {
    lineNumber++;
    if (line.trim() === '') continue;
    try {
      yield { kind: 'record', value: JSON.parse(line) as unknown };
    } catch {
      yield { kind: 'problem', problem: { location: `${file}:${lineNumber}`, reason: 'not JSON' } };
    }
  }
}
