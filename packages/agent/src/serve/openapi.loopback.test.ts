/**
 * The committed OpenAPI 3.1 description against the service's real answers: every response below is
 * validated (ajv, JSON Schema 2020-12, as OpenAPI 3.1 uses) with the schema the document gives for its
 * path, method, status and media type. A field added to an answer and not described fails here.
 */
import { readdir, readFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../config/load-config.js';
import { OPENAPI_URL } from './openapi.js';
import type { RunningServer } from './server.js';
import {
  SAMPLE_DATA,
  send,
  startTestServer,
  TEST_TOKEN,
  type PlainResponse,
} from './__fixtures__/serve-test-server.js';

interface OpenApiDocument {
  openapi: string;
  paths: Record<
    string,
    Record<string, { responses: Record<string, { content?: Record<string, { schema: unknown }> }> }>
  >;
}

let doc: OpenApiDocument;
let ajv: Ajv2020;
let server: RunningServer;
let dir: string;
let sample: string;

beforeAll(async () => {
  doc = JSON.parse(await readFile(OPENAPI_URL, 'utf8')) as OpenApiDocument;
  ajv = new Ajv2020({ strict: false, allErrors: true, formats: { date: /^\d{4}-\d{2}-\d{2}$/ } });
  ajv.addSchema(doc, 'openapi.json');
  dir = await mkdtemp(join(tmpdir(), 'esms-openapi-'));
  const configPath = join(dir, 'esms.config.yaml');
  await writeFile(
    configPath,
    `establishments:\n  - finess: "970407680"\n  - finess: "130007313"\nsources:\n  - type: ndjson\n    paths: [${JSON.stringify(SAMPLE_DATA)}]\n`,
  );
  server = await startTestServer({ loaded: await loadConfig(configPath) });
  const files = (await readdir(SAMPLE_DATA)).filter((f) => f.endsWith('.ndjson')).sort();
  sample = (await Promise.all(files.map((f) => readFile(join(SAMPLE_DATA, f), 'utf8')))).join('');
});
afterAll(async () => {
  await server.close();
  await rm(dir, { recursive: true, force: true });
});

/** Validates a real answer with the schema the document gives it; fails naming what does not match. */
function expectDescribed(path: string, method: string, res: PlainResponse): void {
  const operation = doc.paths[path]?.[method];
  expect(operation, `${method} ${path} is described`).toBeDefined();
  const described = operation?.responses[String(res.status)];
  expect(described, `${method} ${path} → ${res.status} is described`).toBeDefined();
  const type = String(res.headers['content-type']).split(';')[0] ?? '';
  const media = described?.content?.[type];
  expect(media, `${method} ${path} → ${res.status} ${type} is described`).toBeDefined();
  const pointer = `openapi.json#/paths/${path.replaceAll('~', '~0').replaceAll('/', '~1')}/${method}/responses/${res.status}/content/${type.replace('/', '~1')}/schema`;
  const validate = ajv.getSchema(pointer);
  expect(validate).toBeDefined();
  const ok = validate?.(res.json());
  expect(ok, `${method} ${path} → ${res.status}: ${ajv.errorsText(validate?.errors)}`).toBe(true);
}

describe('the OpenAPI description', () => {
  it('is served as committed, OpenAPI 3.1', async () => {
    const res = await send(`${server.url}/openapi.json`);
    expect(res.status).toBe(200);
    expect(res.json()).toEqual(doc);
    expect(doc.openapi).toBe('3.1.0');
  });

  it('describes every answer of POST /compute', async () => {
    const post = (
      query: string,
      body: string,
      headers: Record<string, string> = {},
    ): Promise<PlainResponse> =>
      send(`${server.url}/compute?${query}`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-ndjson', ...headers },
        body,
      });
    const auth = { Authorization: `Bearer ${TEST_TOKEN}` };
    const answers = [
      await post('measureDate=2024-04-01', sample),
      await post('measureDate=2024-04-01&format=measurereport', sample),
      await post('measureDate=2024-04-01&explain=true', sample, auth),
      await post('measureDate=2024-04-01&explain=970407680', sample, auth),
      await post('measureDate=2024-04-01&explain=true', sample),
      await post('measureDate=2024-04-01', 'nope\n'),
      await post('measureDate=2024-04-01&explain=970000000', sample, auth),
      await post('measureDate=2024-04-01', '[]', { 'Content-Type': 'text/plain' }),
    ];
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200, 401, 400, 404, 415]);
    for (const res of answers) expectDescribed('/compute', 'post', res);
  });

  it('describes every answer of $evaluate-measure', async () => {
    const path = '/fhir/Measure/{id}/$evaluate-measure';
    const get = (query: string, headers: Record<string, string> = {}): Promise<PlainResponse> =>
      send(`${server.url}/fhir/Measure/taux-evenement-agenda/$evaluate-measure?${query}`, { headers });
    const answers = [
      await get('periodEnd=2024-03-31'),
      await get('periodEnd=2024-03-31&subject=Organization/970407680'),
      await get('periodEnd=2024-03-31&subject=Organization/970407680&reportType=subject-list', {
        Authorization: `Bearer ${TEST_TOKEN}`,
      }),
      await get('periodEnd=2024-03-31&reportType=subject-list'),
      await get('periodEnd=2024-02-30'),
      await get('periodEnd=2024-03-31&subject=Organization/690007356'),
    ];
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 401, 400, 404]);
    for (const res of answers) expectDescribed(path, 'get', res);
  });

  it('would catch an answer that does not match (the check can fail)', () => {
    const validate = ajv.getSchema('openapi.json#/components/schemas/ResultsDocument');
    expect(validate?.({ measureDate: '2024-04-01', establishments: 'none' })).toBe(false);
  });
});
