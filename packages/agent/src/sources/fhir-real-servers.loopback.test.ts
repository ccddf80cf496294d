// Issue 8.2: the agent against real FHIR server behaviours, all on loopback. Medplum's own FHIR router and memory
// repository (a real FHIR server implementation), and the demo server (examples/fhir-server) set up the way other
// servers page: next links that stop early, `_offset` paging with a page-size cap and an offset cap, a 400 for
// `_elements`. The figures read through each must equal those computed from the same records as files.
import { copyFile, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ComputeOptions, ResultsDocument } from '@esms-numerique/sdk';
import type { Resource } from '@medplum/fhirtypes';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { computeFromSources } from '../runner/compute-from-source.js';
import type { HttpLogger } from '../http/http-logger.js';
import { startMedplumFhirServer, type MedplumFhirServer } from './__fixtures__/medplum-fhir-server.js';
import { createFhirServerSource, type FhirServerSourceOptions } from './fhir-server-source.js';
import { createFileSource } from './file-source.js';
import { isSourceIncompleteError } from './source-incomplete-error.js';

const SAMPLE_DATA = fileURLToPath(new URL('../../../../examples/sample-data/', import.meta.url));
const FIXTURE_SERVER_MODULE = new URL('../../../../examples/fhir-server/fhir-server.mjs', import.meta.url)
  .href;

interface DemoServer {
  url: string;
  requests: string[];
  close(): Promise<void>;
}
interface DemoServerModule {
  startFhirServer: (options: {
    dataDir: string;
    paging?: 'token' | 'offset';
    maxPageSize?: number;
    maxOffset?: number;
    rejectParameters?: string[];
    dropNextAfterPages?: number;
  }) => Promise<DemoServer>;
}

const PROJECT_START = '2022-09-01';
const OPTIONS: ComputeOptions = { measureDate: '2024-04-01', projectStartDate: PROJECT_START };
/** What the runner passes: the earliest local day a rule can look at (here the project start). */
const WINDOW_START = PROJECT_START;

/**
 * Two e-parcours exchanges early on the project's first local day: 00:30 in Paris and 01:30 in Réunion, both
 * before midnight UTC. A server asked `date=ge2022-09-01` reads that as UTC midnight and leaves them out.
 */
const EARLY_EXCHANGES = [
  { id: 'use-early-paris', finessOrg: 'essms-1', patient: 'pat-16', recorded: '2022-09-01T00:30:00+02:00' },
  { id: 'use-early-reunion', finessOrg: 'essms-4', patient: 'pat-0', recorded: '2022-09-01T01:30:00+04:00' },
].map(({ id, finessOrg, patient, recorded }) => ({
  resourceType: 'AuditEvent',
  id,
  meta: { lastUpdated: recorded },
  type: {
    system: 'https://esms-numerique.github.io/fhir/CodeSystem/usage-event',
    code: 'e-parcours-exchange',
  },
  action: 'E',
  recorded,
  outcome: '0',
  agent: [{ who: { reference: `Organization/${finessOrg}` }, requestor: false }],
  source: { observer: { display: 'DUI' } },
  entity: [{ what: { reference: `Patient/${patient}` } }],
}));

let dataDir: string;
let records: Resource[];
let expected: ResultsDocument;
let demo: DemoServerModule;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'esms-real-servers-'));
  for (const name of (await readdir(SAMPLE_DATA)).filter((file) => file.endsWith('.ndjson'))) {
    await copyFile(join(SAMPLE_DATA, name), join(dataDir, name));
  }
  await writeFile(
    join(dataDir, 'AuditEvent.early.ndjson'),
    `${EARLY_EXCHANGES.map((event) => JSON.stringify(event)).join('\n')}\n`,
  );
  records = [];
  for (const name of await readdir(dataDir)) {
    for (const line of (await readFile(join(dataDir, name), 'utf8')).split('\n')) {
      if (line.trim() !== '') records.push(JSON.parse(line) as Resource);
    }
  }
  expected = (
    await computeFromSources([createFileSource({ paths: [dataDir] })], OPTIONS, { readerThreads: 1 })
  ).computation.results;
  demo = (await import(FIXTURE_SERVER_MODULE)) as DemoServerModule;
});
afterAll(() => rm(dataDir, { recursive: true, force: true }));

function collectingLogger(): { logger: HttpLogger; warnings: Array<Record<string, unknown>>; debug: number } {
  const collected = { warnings: [] as Array<Record<string, unknown>>, debug: 0 };
  return {
    logger: {
      debug: () => {
        collected.debug += 1;
      },
      warn: (details, message) => collected.warnings.push({ ...details, message }),
    },
    get warnings() {
      return collected.warnings;
    },
    get debug() {
      return collected.debug;
    },
  };
}

async function resultsThrough(options: FhirServerSourceOptions): Promise<ResultsDocument> {
  const source = createFhirServerSource({
    auditEventsSince: WINDOW_START,
    retry: { maxAttempts: 1 },
    ...options,
  });
  return (await computeFromSources([source], OPTIONS)).computation.results;
}

describe('the figures read through Medplum (fhir-router + MemoryRepository) equal esms compute', () => {
  let medplum: MedplumFhirServer;
  beforeAll(async () => {
    medplum = await startMedplumFhirServer(records);
  });
  afterAll(() => medplum.close());

  it('with small pages, the e-parcours exchanges of the first local day included', async () => {
    const results = await resultsThrough({ baseUrl: medplum.url, pageSize: 40 });
    expect(results).toEqual(expected);
    // The sample's own exchanges, plus the two early ones, since the project start.
    const sinceStart = (finess: string): number | null | undefined =>
      expected.establishments.find((e) => e.finess === finess)?.indicators['echanges-e-parcours']
        .sinceProjectStart;
    const sampleOnly = (
      await computeFromSources([createFileSource({ paths: [SAMPLE_DATA] })], OPTIONS, { readerThreads: 1 })
    ).computation.results;
    const sampleSinceStart = (finess: string): number | null | undefined =>
      sampleOnly.establishments.find((e) => e.finess === finess)?.indicators['echanges-e-parcours']
        .sinceProjectStart;
    // Each early exchange counts: one more than the sample alone, in Paris and in Réunion.
    expect([sinceStart('750006827'), sinceStart('970407680')]).toEqual([
      (sampleSinceStart('750006827') ?? 0) + 1,
      (sampleSinceStart('970407680') ?? 0) + 1,
    ]);
    expect(medplum.requests.some((url) => url.includes('_offset=2520'))).toBe(true);
  });

  it('when the page size asked is above its silent cap of 1000', async () => {
    const before = medplum.requests.length;
    const results = await resultsThrough({ baseUrl: medplum.url, pageSize: 5000 });
    expect(results).toEqual(expected);
    const encounterPages = medplum.requests
      .slice(before)
      .filter((url) => url.startsWith('/fhir/R4/Encounter?'));
    expect(encounterPages).toHaveLength(3); // 2557 Encounters, 1000 a page
  });
});

describe('servers that page differently', () => {
  it('fails the read with input-incomplete when the next links stop before the total', async () => {
    const server = await demo.startFhirServer({ dataDir, dropNextAfterPages: 2 });
    try {
      const error = await resultsThrough({
        baseUrl: server.url,
        pageSize: 50,
        resourceTypes: ['Encounter'],
      }).catch((caught: unknown) => caught);
      expect(isSourceIncompleteError(error) && error.reason).toBe('ended-before-total');
      expect(isSourceIncompleteError(error) && [error.code, error.pages, error.records, error.total]).toEqual(
        ['input-incomplete', 2, 100, 2557],
      );
      expect((error as Error).message).toBe(
        'Encounter search incomplete after 2 page(s) and 100 of 2557 records: the last page (no next link) came before the total the server announced',
      );
    } finally {
      await server.close();
    }
  });

  it('reads to the end a server that pages by _offset, caps _count and refuses offsets past 400', async () => {
    const server = await demo.startFhirServer({ dataDir, paging: 'offset', maxPageSize: 40, maxOffset: 400 });
    const log = collectingLogger();
    try {
      const results = await resultsThrough({ baseUrl: server.url, pageSize: 500, logger: log.logger });
      expect(results).toEqual(expected);
      expect(
        server.requests.some((url) => url.includes('_sort=_lastUpdated') && url.includes('_lastUpdated=ge')),
      ).toBe(true);
      expect(
        server.requests.some(
          (url) => /_offset=(\d+)/.exec(url) !== null && Number(/_offset=(\d+)/.exec(url)?.[1]) > 400,
        ),
      ).toBe(true);
      // Said once per search and phase, not at every keyset restart (follow-up F10): 2557 Encounters by
      // pages of 40 under a 400 offset cap restart the keyset phase several times.
      const encounterWarnings = log.warnings.filter((warning) => warning['resourceType'] === 'Encounter');
      expect(encounterWarnings.map((w) => w['phase'])).toEqual(['sorted', 'keyset']);
    } finally {
      await server.close();
    }
  });

  it('reads without _elements when the server answers 400 to it, and says so once', async () => {
    const server = await demo.startFhirServer({ dataDir, rejectParameters: ['_elements'] });
    const log = collectingLogger();
    try {
      const results = await resultsThrough({
        baseUrl: server.url,
        pageSize: 200,
        useElements: true,
        logger: log.logger,
      });
      expect(results).toEqual(expected);
      expect(log.warnings).toEqual([
        expect.objectContaining({
          parameter: '_elements',
          status: 400,
          message: 'the FHIR server refuses _elements; reading without it (same records, only more of them)',
        }),
      ]);
      // The searches in flight when the first 400 came (4 at once) asked for it; none after.
      expect(server.requests.filter((url) => url.includes('_elements=')).length).toBeLessThanOrEqual(4);
      expect(log.debug).toBeGreaterThan(7);
    } finally {
      await server.close();
    }
  });
});
