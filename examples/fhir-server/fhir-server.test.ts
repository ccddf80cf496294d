// The demo's FHIR server run as the demo runs it: `node main.mjs --data DIR --port 0`, over real loopback HTTP.
import { spawn } from 'node:child_process';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const MAIN = fileURLToPath(new URL('./main.mjs', import.meta.url));
const DATA_DIR = fileURLToPath(
  new URL('../../packages/agent/src/sources/__fixtures__/dui-small-ndjson/', import.meta.url),
);
const TOKEN_ENV = 'ESMS_DEMO_FHIR_TOKEN';

interface Bundle {
  resourceType: string;
  total?: number;
  link?: Array<{ relation: string; url: string }>;
  entry?: Array<{ resource: { resourceType: string; id: string; [key: string]: unknown } }>;
}

describe('examples/fhir-server main.mjs', () => {
  let child: ChildProcessWithoutNullStreams;
  let url: string;
  const get = (path: string, token = 'demo-token'): Promise<Response> =>
    fetch(path.startsWith('http') ? path : `${url}${path}`, {
      headers: { authorization: `Bearer ${token}` },
    });

  beforeAll(async () => {
    child = spawn(
      process.execPath,
      [MAIN, '--data', DATA_DIR, '--port', '0', '--bearer-token-env', TOKEN_ENV],
      {
        env: { ...process.env, [TOKEN_ENV]: 'demo-token' },
      },
    );
    const [line] = (await once(createInterface({ input: child.stdout }), 'line')) as [string];
    url = (JSON.parse(line) as { url: string }).url;
  });
  afterAll(async () => {
    if (child.exitCode === null) {
      child.kill('SIGTERM');
      await once(child, 'exit');
    }
  });

  it('prints its URL as one JSON line, on loopback', () => {
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/fhir$/);
  });

  it('serves /metadata without a token and the rest only with it', async () => {
    const metadata = (await (await fetch(`${url}/metadata`)).json()) as {
      resourceType: string;
      fhirVersion: string;
    };
    expect(metadata).toMatchObject({ resourceType: 'CapabilityStatement', fhirVersion: '4.0.1' });
    expect((await get('/Patient', 'wrong')).status).toBe(401);
  });

  it('pages a search through opaque next links to the end', async () => {
    const ids: string[] = [];
    let next: string | undefined = '/Patient?_count=3';
    let pages = 0;
    while (next !== undefined) {
      const page = (await (await get(next)).json()) as Bundle;
      pages += 1;
      expect(page.total).toBe(7);
      ids.push(...(page.entry ?? []).map((entry) => entry.resource.id));
      next = page.link?.find((link) => link.relation === 'next')?.url;
      if (next !== undefined) expect(new URL(next).searchParams.has('_getpages')).toBe(true);
    }
    expect(pages).toBe(3);
    expect(ids.sort()).toEqual(['pat-1', 'pat-2', 'pat-3', 'pat-4', 'pat-5', 'pat-6', 'pat-7']);
  });

  it('filters AuditEvents by date and anything by _lastUpdated, reads by id, and 404s an unknown id', async () => {
    const audit = (await (await get('/AuditEvent?date=ge2024-01-01')).json()) as Bundle;
    expect(audit.entry?.map((entry) => entry.resource.id).sort()).toEqual(['ae-1', 'ae-2']);
    const updated = (await (await get('/Appointment?_lastUpdated=ge2024-02-01')).json()) as Bundle;
    expect(updated.entry?.map((entry) => entry.resource.id)).toEqual(['apt-old-updated']);
    const patient = (await (await get('/Patient/pat-2')).json()) as { id: string };
    expect(patient.id).toBe('pat-2');
    expect((await get('/Patient/nobody')).status).toBe(404);
    expect((await get('/AuditEvent?date=lt2024-01-01')).status).toBe(400);
    const none = (await (await get('/CarePlan?_lastUpdated=ge2030-01-01')).json()) as Bundle;
    expect(none).toMatchObject({ resourceType: 'Bundle', total: 0, entry: [] });
  });

  it('stops cleanly on SIGTERM', async () => {
    child.kill('SIGTERM');
    const [code] = (await once(child, 'exit')) as [number | null];
    expect(code).toBe(0);
  });
});

describe('examples/fhir-server main.mjs usage', () => {
  it('exits 2 without --data, and when the token variable is missing', async () => {
    for (const args of [[], ['--data', DATA_DIR, '--bearer-token-env', 'ESMS_SURELY_UNSET_VARIABLE']]) {
      const child = spawn(process.execPath, [MAIN, ...args], {
        env: { ...process.env, ESMS_SURELY_UNSET_VARIABLE: '' },
      });
      const [code] = (await once(child, 'exit')) as [number | null];
      expect(code).toBe(2);
    }
  });
});
