import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const SRC = dirname(dirname(fileURLToPath(import.meta.url)));

/** The packages `start` loads through its static imports (type-only imports load nothing), with one chain each. */
function staticPackages(start: string): Map<string, string[]> {
  const found = new Map<string, string[]>();
  const chainOf = new Map<string, string[]>([[start, [start]]]);
  const queue = [start];
  while (queue.length > 0) {
    const file = queue.shift() as string;
    const text = readFileSync(resolve(SRC, file), 'utf8');
    for (const match of text.matchAll(/^import\s+(?!type\s)(?:[^;]*?\sfrom\s+)?'([^']+)';/gm)) {
      const spec = match[1] as string;
      const chain = [...(chainOf.get(file) as string[])];
      if (spec.startsWith('.')) {
        const target = resolve(dirname(resolve(SRC, file)), spec.replace(/\.js$/, '.ts')).slice(
          SRC.length + 1,
        );
        if (!chainOf.has(target)) {
          chainOf.set(target, [...chain, target]);
          queue.push(target);
        }
      } else if (!spec.startsWith('node:') && !found.has(spec)) {
        found.set(spec, chain);
      }
    }
  }
  return found;
}

describe('what esms run-once loads before it reads (issue 13)', () => {
  it('loads no HTTP, FHIR client or ASN.1 code: a run with files, no ARS, no TSA and no alerts needs none', () => {
    const packages = staticPackages('commands/run-once.ts');
    // It does load what every run needs, so the walk does follow the imports.
    expect([...packages.keys()]).toContain('@esms-numerique/sdk');
    expect([...packages.keys()]).toContain('yaml');
    for (const heavy of ['axios', 'undici', 'pkijs', 'asn1js', 'fhir-kit-client', 'pdfkit']) {
      expect(
        packages.get(heavy),
        `${heavy} is loaded through ${packages.get(heavy)?.join(' → ')}`,
      ).toBeUndefined();
    }
  });
});
