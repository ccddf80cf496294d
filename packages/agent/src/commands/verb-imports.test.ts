import { describe, expect, it } from 'vitest';
import { readdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildProgram } from '../cli.js';
import { staticFiles, staticPackages } from '../test-support/static-imports.js';

const VERB_MODULES = readdirSync(dirname(fileURLToPath(import.meta.url)))
  .filter((name) => name.endsWith('.ts') && !name.endsWith('.test.ts'))
  .map((name) => `commands/${name}`);

/** Loaded by no verb before it knows it needs them: networking, FHIR client, ASN.1, PDF, schedule. */
const NEVER_AT_START = ['axios', 'undici', 'fhir-kit-client', 'pkijs', 'asn1js', 'pdfkit', 'node-cron'];

function expectNotLoaded(start: string, heavy: readonly string[]): void {
  const packages = staticPackages(start);
  for (const name of heavy) {
    expect(
      packages.get(name),
      `${name} is loaded through ${packages.get(name)?.join(' → ')}`,
    ).toBeUndefined();
  }
}

describe('what a verb loads at start-up (issue 13)', () => {
  it('esms compute loads no config schema, YAML parser, pretty printer or network code: a run without --config needs none', () => {
    const packages = staticPackages('commands/compute.ts');
    // What every run needs is there, so the walk does follow the imports.
    expect([...packages.keys()]).toEqual(
      expect.arrayContaining(['@esms-numerique/sdk', 'commander', 'pino']),
    );
    expectNotLoaded('commands/compute.ts', [...NEVER_AT_START, 'zod', 'yaml', 'pino-pretty']);
    // The config file's reader is loaded by `--config` only.
    expect(staticFiles('commands/compute.ts')).not.toContain('config/load-config.ts');
    expect(staticFiles('commands/compute.ts')).toContain('runner/compute-from-source.ts');
  });

  it('esms verify loads no ASN.1 code (pkijs, asn1js) before it finds a timestamp token or --tsa-ca', () => {
    expect(staticFiles('commands/verify.ts')).toContain('evidence/timestamp-check.ts');
    expectNotLoaded('commands/verify.ts', [...NEVER_AT_START, 'zod', 'yaml', 'pino', 'pino-pretty']);
  });

  it('the entry point and the verb table load only commander: each verb is imported when it runs', () => {
    expect([...staticPackages('main.ts').keys()]).toEqual(['commander']);
    const files = staticFiles('main.ts');
    expect([...files].filter((file) => file.startsWith('commands/'))).toEqual([]);
  });

  it('a logger loads pino-pretty only when it prints for a person', () => {
    expectNotLoaded('logging/create-logger.ts', ['pino-pretty']);
  });

  it('no verb module loads networking, ASN.1 or PDF code: `esms --help`, which loads them all, needs none', () => {
    expect(VERB_MODULES).toContain('commands/report.ts');
    for (const module of VERB_MODULES) {
      expectNotLoaded(module, ['axios', 'undici', 'fhir-kit-client', 'pkijs', 'asn1js', 'pdfkit']);
    }
  });

  it('the program registers the invoked verb alone, every verb for help, and none for --version', async () => {
    const names = async (...args: string[]): Promise<string[]> =>
      (await buildProgram(['node', 'esms', ...args])).commands.map((command) => command.name());
    expect(await names('compute', '--input', 'x', '--measure-date', '2024-04-01')).toEqual(['compute']);
    expect(await names('--log-level', 'debug', 'verify', 'store')).toEqual(['verify']);
    expect(await names('--log-level=debug', 'verify', 'store')).toEqual(['verify']);
    expect(await names('--help')).toHaveLength(VERB_MODULES.length);
    expect(await names('--version')).toEqual([]);
    expect(await names('-V')).toEqual([]);
  });
});
