import { createReadStream, existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { pathToFileURL } from 'node:url';

/** One parsed line, or a line that was not JSON (the same shape as the agent's `SourceItem`). */
export type FloorItem = { kind: 'record'; value: unknown } | { kind: 'problem'; problem: unknown };
export type NdjsonLineReader = (file: string) => AsyncIterable<FloorItem>;

/**
 * The FLOOR's reader: the agent's own `readNdjsonLines` (packages/agent/src/sources/ndjson-lines.ts, built),
 * so that the floor pays exactly the engine's reading and parsing cost. Loaded from the agent's build at
 * run time because the agent package exports only its public API; when the build is missing, a plain
 * `readline` + `JSON.parse` reader stands in and the bench says so.
 */
export async function loadFloorReader(): Promise<{ name: string; read: NdjsonLineReader }> {
  try {
    const require = createRequire(import.meta.url);
    const agentDir = dirname(require.resolve('@esms-numerique/agent/package.json'));
    const modulePath = join(agentDir, 'dist', 'sources', 'ndjson-lines.js');
    if (existsSync(modulePath)) {
      const loaded = (await import(pathToFileURL(modulePath).href)) as { readNdjsonLines?: unknown };
      if (typeof loaded.readNdjsonLines === 'function') {
        const readNdjsonLines = loaded.readNdjsonLines as (file: string) => AsyncIterable<FloorItem>;
        return { name: 'agent readNdjsonLines', read: (file) => readNdjsonLines(file) };
      }
    }
  } catch {
    // Fall through to the stand-in reader below; the bench reports which reader it used.
  }
  return { name: 'tools readline fallback', read: readLinesWithReadline };
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
