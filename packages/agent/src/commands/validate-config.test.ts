import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ConfigInvalidError } from '../config/config-invalid-error.js';
import { ConfigNotFoundError } from '../config/config-not-found-error.js';
import { EXIT_CODE_BY_ERROR, isAgentError } from '../errors.js';
import { SecretMissingError } from '../secrets/secret-missing-error.js';
import { runInit } from './init.js';
import { runValidateConfig, type ValidateConfigReport } from './validate-config.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'esms-validate-'));
});
afterEach(async () => {
  vi.unstubAllEnvs();
  await rm(dir, { recursive: true, force: true });
});

function buffers(): {
  stdout: { write: (text: string) => void; text: string };
  stderr: { write: (text: string) => void; text: string };
} {
  const stdout = { text: '', write: (text: string) => void (stdout.text += text) };
  const stderr = { text: '', write: (text: string) => void (stderr.text += text) };
  return { stdout, stderr };
}

async function failure(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
}

const VALID = `
establishments: [ { finess: "970400024" } ]
sources:
  - type: fhir
    baseUrl: https://dui.hopital.fr/fhir
    auth: { type: bearer, token: { env: ESMS_TEST_DUI_TOKEN } }
`;

describe('esms validate-config', () => {
  it('prints config OK with the path and a 12-hex digest', async () => {
    vi.stubEnv('ESMS_TEST_DUI_TOKEN', 'tok-abc');
    const path = join(dir, 'esms.config.yaml');
    await writeFile(path, VALID);
    const io = buffers();
    const report = await runValidateConfig({ config: path }, io);
    expect(io.stdout.text).toBe(`config OK (${path}, digest ${report.digest?.slice(0, 12)})\n`);
    expect(report.digest).toMatch(/^[0-9a-f]{64}$/);
    expect(io.stderr.text).toBe('');
  });

  it('throws every problem, one key: message per line, for exit code 3', async () => {
    const path = join(dir, 'esms.config.yaml');
    await writeFile(path, `${VALID}    pageSze: 10\nschedule: { timezone: Nowhere/Land }\n`);
    const io = buffers();
    const error = await failure(runValidateConfig({ config: path }, io));
    expect(error).toBeInstanceOf(ConfigInvalidError);
    expect(isAgentError(error) && EXIT_CODE_BY_ERROR[error.code]).toBe(3);
    expect((error as Error).message.split('\n')).toEqual([
      `config invalid (${path}): 2 problems`,
      'sources[0].pageSze: unknown key (did you mean "pageSize"?)',
      'schedule.timezone: must be an IANA time zone such as "Europe/Paris" or "Indian/Reunion"',
    ]);
    expect(io.stdout.text).toBe('');
  });

  it('reports missing secrets as errors, naming key and variable, unless --skip-secrets', async () => {
    const path = join(dir, 'esms.config.yaml');
    await writeFile(path, VALID);
    const error = await failure(runValidateConfig({ config: path }, buffers()));
    expect(error).toBeInstanceOf(SecretMissingError);
    expect((error as SecretMissingError).code).toBe('secret-missing');
    expect((error as Error).message).toBe(
      'secret missing: sources[0].auth.token: environment variable ESMS_TEST_DUI_TOKEN is not set',
    );
    const io = buffers();
    await runValidateConfig({ config: path, skipSecrets: true }, io);
    expect(io.stdout.text).toMatch(/^config OK/);
  });

  it('prints warnings on standard error without failing', async () => {
    vi.stubEnv('ESMS_TEST_DUI_TOKEN', 'tok-abc');
    const path = join(dir, 'esms.config.yaml');
    await writeFile(path, VALID.replace('https://dui.hopital.fr', 'http://dui.hopital.fr'));
    const io = buffers();
    await runValidateConfig({ config: path }, io);
    expect(io.stderr.text).toBe(
      'warning: sources[0].baseUrl: plain http to another machine: records and credentials travel in clear; use https\n',
    );
    expect(io.stdout.text).toMatch(/^config OK/);
  });

  it('writes a JSON report with --format json, valid or not', async () => {
    vi.stubEnv('ESMS_TEST_DUI_TOKEN', 'tok-abc');
    const path = join(dir, 'esms.config.yaml');
    await writeFile(path, VALID);
    const ok = buffers();
    await runValidateConfig({ config: path, format: 'json' }, ok);
    const report = JSON.parse(ok.stdout.text) as ValidateConfigReport;
    expect(report).toMatchObject({ valid: true, path, problems: [], warnings: [] });
    expect(report.digest).toMatch(/^[0-9a-f]{64}$/);

    await writeFile(path, `${VALID}retry: {}\n`);
    const bad = buffers();
    await expect(runValidateConfig({ config: path, format: 'json' }, bad)).rejects.toBeInstanceOf(
      ConfigInvalidError,
    );
    expect(JSON.parse(bad.stdout.text)).toEqual({
      valid: false,
      path,
      digest: null,
      problems: [
        {
          key: 'retry',
          message:
            'unknown key (expected one of "establishments", "sources", "schedule", "measureDate", "computation", "ars", "dataDir", "evidence", "logging", "alerts", "serve")',
        },
      ],
      warnings: [],
    });

    const missing = buffers();
    await expect(
      runValidateConfig({ config: join(dir, 'none.yaml'), format: 'json' }, missing),
    ).rejects.toBeInstanceOf(ConfigNotFoundError);
    expect(JSON.parse(missing.stdout.text)).toMatchObject({
      valid: false,
      digest: null,
      problems: [{ key: '(file)' }],
    });
  });

  it('accepts what esms init writes once its secrets are set', async () => {
    const path = join(dir, 'esms.config.yaml');
    const io = buffers();
    await runInit({ config: path }, io.stdout);
    expect(io.stdout.text).toContain(`wrote ${path}`);
    vi.stubEnv('DUI_TOKEN', 'dui-secret');
    vi.stubEnv('ESMS_ARS_TOKEN', 'ars-secret');
    const check = buffers();
    await runValidateConfig({ config: path }, check);
    expect(check.stdout.text).toMatch(/^config OK/);
    // The placeholders left from the template are pointed out.
    expect(check.stderr.text).toContain(
      'warning: sources[0].baseUrl: dui.example.org is a placeholder domain',
    );
    expect(check.stderr.text).toContain(
      'warning: ars.endpoint: collecte.ars.example is a placeholder domain',
    );
    expect(check.stderr.text + check.stdout.text).not.toMatch(/dui-secret|ars-secret/);
  });

  it('esms init also makes the evidence keys, private ones readable by the owner only, and never replaces them', async () => {
    const path = join(dir, 'esms.config.yaml');
    const first = buffers();
    await runInit({ config: path }, first.stdout);
    const evidence = join(dir, 'esms-data', 'evidence');
    expect((await stat(join(evidence, 'evidence-key.pem'))).mode & 0o777).toBe(0o600);
    expect((await stat(join(evidence, 'pseudonym-secret'))).mode & 0o777).toBe(0o600);
    const fingerprint = /fingerprint: ([0-9a-f ]+)\n/.exec(first.stdout.text)?.[1];
    expect(fingerprint).toMatch(/^([0-9a-f]{4} ){15}[0-9a-f]{4}$/);
    const key = await readFile(join(evidence, 'evidence-key.pem'), 'utf8');
    const again = buffers();
    await runInit({ config: path, force: true }, again.stdout);
    expect(again.stdout.text).toContain('kept (already there)');
    expect(await readFile(join(evidence, 'evidence-key.pem'), 'utf8')).toBe(key);
  });
});
