import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The agent's `src/`. */
const SRC = dirname(dirname(fileURLToPath(import.meta.url)));

/**
 * The packages that `start` (a path under the agent's `src/`) loads through its static imports and
 * re-exports, with one chain of files each. Type-only imports load nothing, and a dynamic `import()` is
 * only taken when its code runs, so neither is followed. Node built-ins (`node:…`) are left out. The
 * workspace SDK counts as one package: its own imports are not followed.
 */
export function staticPackages(start: string): Map<string, string[]> {
  return walk(start).packages;
}

/** The agent's own files (paths under `src/`) that `start` loads through its static imports. */
export function staticFiles(start: string): Set<string> {
  return new Set(walk(start).files.keys());
}

function walk(start: string): { packages: Map<string, string[]>; files: Map<string, string[]> } {
  const packages = new Map<string, string[]>();
  const files = new Map<string, string[]>([[start, [start]]]);
  const queue = [start];
  while (queue.length > 0) {
    const file = queue.shift() as string;
    const text = readFileSync(resolve(SRC, file), 'utf8');
    const statements =
      /^(?:import\s+(?!type\s)(?:[^;]*?\sfrom\s+)?|export\s+(?!type\s)(?:\*|\{[^}]*\})\s+from\s+)'([^']+)';/gm;
    for (const match of text.matchAll(statements)) {
      const spec = match[1] as string;
      const chain = files.get(file) as string[];
      if (spec.startsWith('.')) {
        const target = resolve(dirname(resolve(SRC, file)), spec.replace(/\.js$/, '.ts')).slice(
          SRC.length + 1,
        );
        if (!files.has(target)) {
          files.set(target, [...chain, target]);
          queue.push(target);
        }
      } else if (!spec.startsWith('node:') && !packages.has(spec)) {
        packages.set(spec, chain);
      }
    }
  }
  return { packages, files };
}
