/** The dashboard's routes over real HTTP (the browser test, test/serve-dashboard-browser.test.ts, clicks through them). */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig, type LoadedConfig } from '../config/load-config.js';
import type { RunningServer } from './server.js';
import { SAMPLE_DATA, send, startTestServer, TEST_TOKEN } from './__fixtures__/serve-test-server.js';

let dir: string;
let loaded: LoadedConfig;
let server: RunningServer;
const WORKLIST = '/tableau-de-bord/essms/970407680/taux-dmp?measureDate=2024-04-01';

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'esms-dashboard-'));
  const path = join(dir, 'esms.config.yaml');
  await writeFile(
    path,
    `establishments:\n  - finess: "970407680"\nsources:\n  - type: ndjson\n    paths: [${JSON.stringify(SAMPLE_DATA)}]\ndataDir: ./data\n`,
  );
  loaded = await loadConfig(path);
  server = await startTestServer({ loaded });
});
afterAll(async () => {
  await server.close();
  await rm(dir, { recursive: true, force: true });
});

describe('the dashboard routes', () => {
  it('shows an overview before anything is sealed, in French, under a strict CSP', async () => {
    const res = await send(`${server.url}/tableau-de-bord`);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toContain('text/html');
    expect(res.headers['content-security-policy']).toContain("default-src 'none'");
    expect(res.text).toContain('<html lang="fr">');
    expect(res.text).toContain('rien de scellé');
    expect(res.text).not.toMatch(/<script|https?:\/\/(?!127\.0\.0\.1)/);
    const css = await send(`${server.url}/tableau-de-bord/style.css`);
    expect(css.headers['content-type']).toContain('text/css');
  });

  it('sends a worklist request without credentials to the login form, and back after it', async () => {
    const anonymous = await send(server.url + WORKLIST);
    expect(anonymous.status).toBe(303);
    const login = String(anonymous.headers.location);
    expect(login).toBe(`/tableau-de-bord/connexion?suite=${encodeURIComponent(WORKLIST)}`);
    const form = (token: string, suite: string): Promise<Awaited<ReturnType<typeof send>>> =>
      send(`${server.url}/tableau-de-bord/connexion`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ jeton: token, suite }).toString(),
      });
    const wrong = await form('wrong-token-wrong-token', WORKLIST);
    expect(wrong.status).toBe(401);
    expect(wrong.headers['set-cookie']).toBeUndefined();
    const right = await form(TEST_TOKEN, WORKLIST);
    expect(right.status).toBe(303);
    expect(right.headers.location).toBe(WORKLIST);
    const cookie = String(right.headers['set-cookie']).split(';')[0] ?? '';
    expect(String(right.headers['set-cookie'])).toMatch(/HttpOnly; SameSite=Strict/);
    expect(cookie).not.toContain(TEST_TOKEN);
    const page = await send(server.url + WORKLIST, { headers: { Cookie: cookie } });
    expect(page.status).toBe(200);
    expect(page.headers['cache-control']).toBe('no-store');
    expect(page.text).toContain('Patient/');
    // Never an open redirect: a login for another site lands on the dashboard.
    const away = await form(TEST_TOKEN, 'https://example.org/');
    expect(away.headers.location).toBe('/tableau-de-bord');
  });

  it('takes a bearer token too, and refuses worklists when no token is configured', async () => {
    const bearer = await send(server.url + WORKLIST.replace('taux-dmp?', 'taux-dmp.csv?'), {
      headers: { Authorization: `Bearer ${TEST_TOKEN}` },
    });
    expect(bearer.status).toBe(200);
    expect(bearer.headers['content-type']).toContain('text/csv');
    expect(bearer.headers['content-disposition']).toContain('attachment');
    const open = await startTestServer({ loaded, token: null });
    try {
      const res = await send(open.url + WORKLIST, { headers: { Authorization: `Bearer ${TEST_TOKEN}` } });
      expect(res.status).toBe(403);
      expect(res.text).toContain('serve.token');
    } finally {
      await open.close();
    }
  });

  it('answers 404 for an indicator without a worklist (MSSanté counts messages)', async () => {
    const res = await send(`${server.url}/tableau-de-bord/essms/970407680/taux-mssante`, {
      headers: { Authorization: `Bearer ${TEST_TOKEN}` },
    });
    expect(res.status).toBe(404);
  });
});
