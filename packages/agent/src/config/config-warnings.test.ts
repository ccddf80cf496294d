import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { configWarnings } from './config-warnings.js';
import { validateConfig } from './load-config.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'esms-warnings-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('configWarnings', () => {
  it('flags plain http to another machine, placeholders, missing NDJSON paths, the obsolete since: null, and bad FINESS keys', async () => {
    const config = validateConfig(
      {
        establishments: [{ finess: '970400024' }, { finess: '750000016' }, { finess: '2A0000011' }],
        sources: [
          { type: 'fhir', baseUrl: 'http://dui.hopital.local/fhir', since: null },
          { type: 'fhir', baseUrl: 'http://127.0.0.1:8080/fhir' },
          { type: 'ndjson', paths: ['.', './missing'] },
        ],
        ars: { endpoint: 'https://collecte.ars.example/fhir' },
      },
      dir,
    );
    const warnings = await configWarnings(config);
    expect(warnings.map((warning) => warning.key)).toEqual([
      'sources[0].baseUrl',
      'sources[0].since',
      'sources[2].paths[1]',
      'ars.endpoint',
      'establishments[1].finess',
    ]);
    expect(warnings[4]?.message).toContain('lenient');
  });

  it('warns for an overseas FINESS whose time zone is unknown (timezone-unknown), unless a timezone is set', async () => {
    const config = validateConfig(
      {
        establishments: [
          // The example (its key does not check either), a Nouvelle-Calédonie number with its
          // zone set, Mayotte (a known territory), Réunion.
          { finess: '980900001' },
          { finess: '988000006', timezone: 'Pacific/Noumea' },
          { finess: '980500003' },
          { finess: '970400024' },
        ],
        sources: [{ type: 'fhir', baseUrl: 'https://dui.hopital.fr/fhir' }],
      },
      dir,
    );
    const warnings = await configWarnings(config);
    expect(warnings.map((w) => w.key)).toEqual(['establishments[0].finess', 'establishments[0].finess']);
    expect(warnings[0]?.message).toContain('FINESS key');
    expect(warnings[1]?.message).toMatch(/Europe\/Paris.*timezone-unknown.*establishments\[0\]\.timezone/);
  });

  it('has nothing to say about a clean config', async () => {
    const config = validateConfig(
      {
        establishments: [{ finess: '750000010' }],
        sources: [{ type: 'fhir', baseUrl: 'https://dui.hopital.fr/fhir' }],
        ars: { endpoint: 'https://collecte.ars.sante.fr/fhir', proxy: 'http://proxy.hopital.fr:3128' },
      },
      dir,
    );
    expect(await configWarnings(config)).toEqual([]);
  });
});
