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
