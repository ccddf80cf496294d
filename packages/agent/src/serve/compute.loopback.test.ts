/**
 * `POST /compute` through real HTTP on loopback: the same document as `esms compute` (computeFromSources
 * on the same files), NDJSON streamed, Bundles and arrays, errors as OperationOutcomes, isolation.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { MAX_ZONES, type EstablishmentExplanation, type ResultsDocument } from '@esms-numerique/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { computeFromSources } from '../runner/compute-from-source.js';
import { createFileSource } from '../sources/file-source.js';
import type { RunningServer } from './server.js';
import { SAMPLE_DATA, send, startTestServer, TEST_TOKEN } from './__fixtures__/serve-test-server.js';

const NDJSON = { 'Content-Type': 'application/x-ndjson' };
const D = '2024-04-01';

let server: RunningServer;
let sampleNdjson: string;
let expected: ResultsDocument;
let expectedSubjects: EstablishmentExplanation[];

beforeAll(async () => {
  server = await startTestServer();
  const files = (await readdir(SAMPLE_DATA)).filter((f) => f.endsWith('.ndjson')).sort();
  sampleNdjson = (await Promise.all(files.map((f) => readFile(join(SAMPLE_DATA, f), 'utf8')))).join('');
  // What `esms compute --input examples/sample-data --measure-date 2024-04-01` computes.
  const computed = await computeFromSources(
    [createFileSource({ paths: [SAMPLE_DATA] })],
    { measureDate: D },
    {
      incompleteInput: 'report',
    },
  );
  expected = computed.computation.results;
  expectedSubjects = computed.computation.subjects;
});
afterAll(async () => {
  await server.close();
});

/** The body in small chunks, written one after the other: nothing arrives whole. */
async function* inChunks(text: string, size: number): AsyncGenerator<string> {
  for (let i = 0; i < text.length; i += size) {
    yield text.slice(i, i + size);
    await new Promise((r) => setImmediate(r));
  }
}

describe('POST /compute', () => {
  it('answers the results document esms compute gives for the same records (NDJSON streamed in chunks)', async () => {
    const res = await send(`${server.url}/compute?measureDate=${D}`, {
      method: 'POST',
      headers: NDJSON,
      body: inChunks(sampleNdjson, 7_919),
    });
    expect(res.status).toBe(200);
    expect(res.json()).toEqual(expected);
    expect(expected.establishments.length).toBe(5);
  });

  it('takes a JSON array of resources and a FHIR Bundle alike', async () => {
    const resources = sampleNdjson
      .split('\n')
      .filter((l) => l.trim() !== '')
      .map((l) => JSON.parse(l) as unknown);
    const asArray = await send(`${server.url}/compute?measureDate=${D}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/fhir+json' },
      body: JSON.stringify(resources),
    });
    expect(asArray.status).toBe(200);
    expect(asArray.json()).toEqual(expected);
    const bundle = {
      resourceType: 'Bundle',
      type: 'collection',
      entry: resources.map((resource) => ({ resource })),
    };
    const asBundle = await send(`${server.url}/compute?measureDate=${D}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/fhir+json' },
      body: JSON.stringify(bundle),
    });
    expect(asBundle.status).toBe(200);
    expect((asBundle.json() as ResultsDocument).establishments).toEqual(expected.establishments);
  });

  it('answers summary MeasureReports with format=measurereport, without any subject', async () => {
    const res = await send(`${server.url}/compute?measureDate=${D}&format=measurereport`, {
      method: 'POST',
      headers: NDJSON,
      body: sampleNdjson,
    });
    expect(res.status).toBe(200);
    const bundle = res.json() as {
      resourceType: string;
      entry: Array<{ resource: Record<string, unknown> }>;
    };
    expect(bundle.resourceType).toBe('Bundle');
    const dmp = bundle.entry
      .map((e) => e.resource)
      .find(
        (r) =>
          String(r['measure']).includes('/taux-dmp|') &&
          (r['reporter'] as { identifier: { value: string } }).identifier.value === '970407680',
      );
    const figures = expected.establishments.find((e) => e.finess === '970407680')?.indicators['taux-dmp'];
    expect(dmp?.['type']).toBe('summary');
    expect(dmp?.['subject']).toBeUndefined();
    const populations = (dmp?.['group'] as Array<{ population: Array<{ id: string; count: number }> }>)[0]
      ?.population;
    expect(populations?.find((p) => p.id === 'numerator')?.count).toBe(figures?.numerator);
    expect(populations?.find((p) => p.id === 'denominator')?.count).toBe(figures?.denominator);
  });

  it('gives explanations only to a caller presenting the token', async () => {
    const url = `${server.url}/compute?measureDate=${D}&explain=970407680`;
    const anonymous = await send(url, { method: 'POST', headers: NDJSON, body: sampleNdjson });
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers['www-authenticate']).toContain('Bearer');
    const wrong = await send(url, {
      method: 'POST',
      headers: { ...NDJSON, Authorization: 'Bearer not-the-token-at-all' },
      body: sampleNdjson,
    });
    expect(wrong.status).toBe(401);
    const res = await send(url, {
      method: 'POST',
      headers: { ...NDJSON, Authorization: `Bearer ${TEST_TOKEN}` },
      body: sampleNdjson,
    });
    expect(res.status).toBe(200);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.json()).toEqual(expectedSubjects.find((s) => s.finess === '970407680'));
    const all = await send(`${server.url}/compute?measureDate=${D}&explain=true`, {
      method: 'POST',
      headers: { ...NDJSON, Authorization: `Bearer ${TEST_TOKEN}` },
      body: sampleNdjson,
    });
    expect(all.json()).toEqual({ results: expected, explanations: expectedSubjects });
  });

  it('refuses explanations when no token is configured (403), whatever the caller sends', async () => {
    const open = await startTestServer({ token: null });
    try {
      const res = await send(`${open.url}/compute?measureDate=${D}&explain=true`, {
        method: 'POST',
        headers: { ...NDJSON, Authorization: `Bearer ${TEST_TOKEN}` },
        body: sampleNdjson,
      });
      expect(res.status).toBe(403);
      expect(JSON.stringify(res.json())).toContain('serve.token');
    } finally {
      await open.close();
    }
  });

  it('answers 400 with an OperationOutcome naming the line that is not JSON, and keeps serving', async () => {
    const body = '{"resourceType":"Patient","id":"p1"}\n\n{"resourceType": "Patient", "id": \n';
    const res = await send(`${server.url}/compute?measureDate=${D}`, {
      method: 'POST',
      headers: NDJSON,
      body,
    });
    expect(res.status).toBe(400);
    const outcome = res.json() as {
      resourceType: string;
      issue: Array<{ expression: string[]; diagnostics: string }>;
    };
    expect(outcome.resourceType).toBe('OperationOutcome');
    expect(outcome.issue[0]?.expression).toEqual(['line 3']);
    expect(outcome.issue[0]?.diagnostics).not.toContain('Patient');
    const after = await send(`${server.url}/compute?measureDate=${D}`, {
      method: 'POST',
      headers: NDJSON,
      body: sampleNdjson,
    });
    expect(after.json()).toEqual(expected);
  });

  it('names the parameter of a bad query, and the media type of an unknown body', async () => {
    const noDate = await send(`${server.url}/compute`, { method: 'POST', headers: NDJSON, body: '' });
    expect(noDate.status).toBe(400);
    expect((noDate.json() as { issue: Array<{ expression: string[] }> }).issue[0]?.expression).toEqual([
      'measureDate',
    ]);
    const badScope = await send(`${server.url}/compute?measureDate=${D}&denominatorScope=year`, {
      method: 'POST',
      headers: NDJSON,
      body: '',
    });
    expect((badScope.json() as { issue: Array<{ expression: string[] }> }).issue[0]?.expression).toEqual([
      'denominatorScope',
    ]);
    const xml = await send(`${server.url}/compute?measureDate=${D}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/fhir+xml' },
      body: '<Bundle/>',
    });
    expect(xml.status).toBe(415);
    const notObjects = await send(`${server.url}/compute?measureDate=${D}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: '[{"resourceType":"Patient","id":"a"}, 3]',
    });
    expect(notObjects.status).toBe(400);
    expect((notObjects.json() as { issue: Array<{ expression: string[] }> }).issue[0]?.expression).toEqual([
      '[1]',
    ]);
  });

  it('too many time zones: 400 naming the timezone parameter the caller set, not the SDK option key', async () => {
    const zones = Intl.supportedValuesOf('timeZone').slice(0, MAX_ZONES + 8);
    const query = zones
      .map((zone, i) => `timezone=${encodeURIComponent(`75${String(i).padStart(7, '0')}=${zone}`)}`)
      .join('&');
    const res = await send(`${server.url}/compute?measureDate=${D}&${query}`, {
      method: 'POST',
      headers: NDJSON,
      body: '',
    });
    expect(res.status).toBe(400);
    const issue = (res.json() as { issue: Array<{ expression: string[]; diagnostics: string }> }).issue[0];
    expect(issue?.expression).toEqual(['timezone']);
    expect(issue?.diagnostics).toMatch(/^invalid options: timezone names \d+ distinct time zones/);
    expect(issue?.diagnostics).not.toContain('timezoneOverrides');
  });

  it('refuses a body past the limit with 413, without reading it to its end', async () => {
    const small = await startTestServer({ bodyLimitBytes: 100_000 });
    try {
      const res = await send(`${small.url}/compute?measureDate=${D}`, {
        method: 'POST',
        headers: NDJSON,
        body: inChunks(sampleNdjson, 16_384),
      });
      expect(res.status).toBe(413);
      expect((res.json() as { issue: Array<{ code: string }> }).issue[0]?.code).toBe('too-long');
    } finally {
      await small.close();
    }
  });

  it('keeps concurrent requests apart: two bodies of different records, sent interleaved', async () => {
    const lines = sampleNdjson.split('\n').filter((l) => l.trim() !== '');
    // One ESSMS's Organization left out of the second body: its figures differ.
    const other = lines.filter((l) => !(l.includes('"Organization"') && l.includes('970407680'))).join('\n');
    const alone = (await send(`${server.url}/compute?measureDate=${D}`, {
      method: 'POST',
      headers: NDJSON,
      body: other,
    }).then((r) => r.json())) as ResultsDocument;
    expect(alone).not.toEqual(expected);
    const [first, second] = await Promise.all([
      send(`${server.url}/compute?measureDate=${D}`, {
        method: 'POST',
        headers: NDJSON,
        body: inChunks(sampleNdjson, 4_096),
      }),
      send(`${server.url}/compute?measureDate=${D}`, {
        method: 'POST',
        headers: NDJSON,
        body: inChunks(other, 4_096),
      }),
    ]);
    expect(first.json()).toEqual(expected);
    expect(second.json()).toEqual(alone);
  });

  it('sets a strict Content-Security-Policy and answers unknown paths with an OperationOutcome', async () => {
    const res = await send(`${server.url}/nowhere`);
    expect(res.status).toBe(404);
    expect(res.headers['content-security-policy']).toContain("default-src 'none'");
    expect((res.json() as { resourceType: string }).resourceType).toBe('OperationOutcome');
  });
});
