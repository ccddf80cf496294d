import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isAgentError } from '../errors.js';
import { canonicalJson } from '../evidence/canonical-json.js';
import { configDigest } from './config-digest.js';
import { ConfigInvalidError } from './config-invalid-error.js';
import { ConfigNotFoundError } from './config-not-found-error.js';
import { EXAMPLE_CONFIG_YAML } from './example-config.js';
import { loadConfig, validateConfig } from './load-config.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'esms-config-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function writeConfig(text: string, name = 'esms.config.yaml'): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, text);
  return path;
}

/** The problems of a config that must not load, as `key: message` pairs. */
async function problemsOf(text: string): Promise<{ key: string; message: string }[]> {
  const error = await loadConfig(await writeConfig(text)).then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(ConfigInvalidError);
  return [...(error as ConfigInvalidError).problems];
}

const MINIMAL = `
establishments:
  - finess: "970400024"
sources:
  - type: ndjson
    paths: [ ./export ]
`;

describe('loadConfig', () => {
  it('applies every default to a minimal config', async () => {
    const { config, path, digest } = await loadConfig(await writeConfig(MINIMAL));
    expect(path).toBe(join(dir, 'esms.config.yaml'));
    expect(digest).toMatch(/^[0-9a-f]{64}$/);
    expect(config).toEqual({
      establishments: [{ finess: '970400024' }],
      sources: [{ type: 'ndjson', paths: [join(dir, 'export')] }],
      schedule: { cron: '0 5 1 * *', timezone: 'Europe/Paris', catchUp: true },
      measureDate: { rule: 'first-day-of-current-month' },
      computation: {
        denominatorScope: 'period',
        countCancelledEvents: true,
        finessMode: 'lenient',
        projectStartDate: null,
        allCarePlansAreProjetPersonnalise: false,
      },
      ars: null,
      dataDir: join(dir, 'esms-data'),
      evidence: { retentionYears: 10, deleteExpired: false, timestamping: null },
      logging: { level: 'info', format: 'auto' },
    });
  });

  it('fills the defaults of nested sections that are present', async () => {
    const { config } = await loadConfig(
      await writeConfig(`${MINIMAL}
  - type: fhir
    baseUrl: https://dui.example.org/fhir
ars:
  endpoint: https://collecte.ars.example/fhir
  retry: { deadlineHours: 1 }
`),
    );
    expect(config.sources[1]).toEqual({
      type: 'fhir',
      baseUrl: 'https://dui.example.org/fhir',
      auth: { type: 'none' },
      pageSize: 500,
      concurrency: 4,
      timeoutMs: 30000,
      proxy: null,
    });
    expect(config.ars).toEqual({
      endpoint: 'https://collecte.ars.example/fhir',
      auth: { type: 'none' },
      proxy: null,
      timeoutMs: 30000,
      retry: { initialDelayMs: 1000, maxDelayMs: 3600000, deadlineHours: 1, maxAttempts: null },
    });
  });

  it('reports five different mistakes at once, each with its key', async () => {
    const problems = await problemsOf(`
establishments:
  - finess: "97040002"
sources:
  - type: fhir
    baseUrl: https://dui.example.org/fhir
    pageSize: 0
    auth: { type: bearer, token: { env: DUI_TOKEN } }
schedule: { cron: "0 5 1 * *", timezone: Europe/Pariss }
measureDate: { rule: fixed, date: "2024-02-30" }
logging: { level: verbose }
`);
    expect(problems.map((problem) => problem.key)).toEqual([
      'establishments[0].finess',
      'sources[0].pageSize',
      'schedule.timezone',
      'measureDate.date',
      'logging.level',
    ]);
    expect(problems[1]?.message).toBe('must be at least 1');
    expect(problems[4]?.message).toContain('"debug"');
  });

  it('names an unknown key and suggests the closest known one', async () => {
    const problems = await problemsOf(`${MINIMAL}
  - type: fhir
    baseUrl: https://dui.example.org/fhir
    pageSze: 100
    auth: { type: bearer, token: { env: DUI_TOKEN }, tokenEnv: DUI_TOKEN }
computation: { denominatorScope: calendar }
loging: { level: debug }
`);
    expect(problems).toEqual([
      {
        key: 'sources[1].auth.tokenEnv',
        message: 'unknown key (did you mean token: { env: VARIABLE_NAME }?)',
      },
      { key: 'sources[1].pageSze', message: 'unknown key (did you mean "pageSize"?)' },
      {
        key: 'computation.denominatorScope',
        message: 'must be one of "period", "calendar-year" (did you mean "calendar-year"?)',
      },
      { key: 'loging', message: 'unknown key (did you mean "logging"?)' },
    ]);
  });

  it('lists the accepted keys when nothing is close', async () => {
    const problems = await problemsOf(`${MINIMAL}
evidence: { keepForever: true }
`);
    expect(problems).toEqual([
      {
        key: 'evidence.keepForever',
        message: 'unknown key (expected one of "retentionYears", "deleteExpired", "timestamping")',
      },
    ]);
  });

  it('suggests the auth type meant and says which are accepted', async () => {
    const problems = await problemsOf(`${MINIMAL}
ars:
  endpoint: https://collecte.ars.example/fhir
  auth: { type: bearer-token, token: { env: ARS_TOKEN } }
`);
    expect(problems).toEqual([
      {
        key: 'ars.auth.type',
        message:
          'must be one of "none", "bearer", "oauth2-client-credentials", "tls-client-certificate" (did you mean "bearer"?)',
      },
    ]);
  });

  it('refuses a secret written in the config and never repeats it', async () => {
    const text = `${MINIMAL}
  - type: fhir
    baseUrl: https://dui.example.org/fhir
    auth: { type: bearer, token: "tok-9f8e7d6c5b4a" }
ars:
  endpoint: https://svc:pass-1234@collecte.ars.example/fhir
`;
    const error = await loadConfig(await writeConfig(text)).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ConfigInvalidError);
    const invalid = error as ConfigInvalidError;
    expect(invalid.problems.map((problem) => problem.key)).toEqual(['sources[1].auth.token', 'ars.endpoint']);
    expect(invalid.problems[0]?.message).toContain('{ env: VARIABLE_NAME } or { file: ./path/to/file }');
    expect(invalid.message).not.toContain('tok-9f8e7d6c5b4a');
    expect(invalid.message).not.toContain('pass-1234');
  });

  it('asks for quotes around a FINESS that YAML read as a number', async () => {
    const problems = await problemsOf(MINIMAL.replace('"970400024"', '010008407'));
    expect(problems).toHaveLength(1);
    expect(problems[0]?.key).toBe('establishments[0].finess');
    expect(problems[0]?.message).toContain('quoted');
  });

  it('accepts Corsican FINESS numbers and reports a FINESS listed twice', async () => {
    const ok = await loadConfig(await writeConfig(MINIMAL.replace('"970400024"', '"2A0000022"')));
    expect(ok.config.establishments[0]?.finess).toBe('2A0000022');
    const problems = await problemsOf(
      MINIMAL.replace('- finess: "970400024"', '- finess: "970400024"\n  - finess: "970400024"'),
    );
    expect(problems).toEqual([
      { key: 'establishments[1].finess', message: 'FINESS 970400024 is listed twice' },
    ]);
  });

  it('reports required keys, bad cron expressions and an empty source list', async () => {
    const problems = await problemsOf(`
sources: []
schedule: { cron: "61 5 1 * *" }
ars: { auth: { type: oauth2-client-credentials, clientId: agent, clientSecret: { env: A, file: ./b } } }
`);
    // No `establishments` key is no error: the config then reports every ESSMS of the data (contract.md §4).
    expect(problems.map((problem) => problem.key)).toEqual([
      'sources',
      'schedule.cron',
      'ars.endpoint',
      'ars.auth.tokenUrl',
      'ars.auth.clientSecret',
    ]);
    expect(problems[0]?.message).toContain('at least one source');
    expect(problems[1]?.message).toContain('minute');
    expect(problems[4]?.message).toContain('exactly one of env or file');
  });

  it('checks since, proxy and retry bounds', async () => {
    const problems = await problemsOf(`${MINIMAL}
  - type: fhir
    baseUrl: https://dui.example.org/fhir
    since: last month
ars:
  endpoint: https://collecte.ars.example/fhir
  proxy: http://user:pw@proxy:3128
  retry: { initialDelayMs: 5000, maxDelayMs: 10, maxAttempts: 0 }
`);
    expect(problems).toEqual([
      {
        key: 'sources[1].since',
        message:
          'is no longer supported: reading only records updated since a date changed the figures silently; ' +
          'the agent already reads AuditEvents from the computation window only. Remove the key',
      },
      {
        key: 'ars.proxy',
        message:
          'must not contain credentials (user:password@): use the auth section with an env or file reference',
      },
      { key: 'ars.retry.maxAttempts', message: 'must be at least 1' },
      { key: 'ars.retry.maxDelayMs', message: 'must be at least initialDelayMs (5000)' },
    ]);
  });

  it('resolves relative paths against the config file directory, keeping absolute ones', async () => {
    await mkdir(join(dir, 'conf'));
    const path = await writeConfig(
      `
establishments: [ { finess: "970400024" } ]
sources:
  - type: ndjson
    paths: [ ./export, ../shared/bulk, /srv/absolute ]
  - type: fhir
    baseUrl: https://dui.example.org/fhir
    auth: { type: tls-client-certificate, cert: certs/agent.crt, key: ./certs/agent.key, passphrase: { file: key-pass } }
ars:
  endpoint: https://collecte.ars.example/fhir
  auth: { type: bearer, token: { file: ./secrets/ars-token } }
dataDir: data
`,
      'conf/esms.config.yaml',
    );
    const { config } = await loadConfig(path);
    expect(config.sources[0]).toEqual({
      type: 'ndjson',
      paths: [join(dir, 'conf/export'), join(dir, 'shared/bulk'), '/srv/absolute'],
    });
    expect(config.sources[1]).toMatchObject({
      auth: {
        type: 'tls-client-certificate',
        cert: join(dir, 'conf/certs/agent.crt'),
        key: join(dir, 'conf/certs/agent.key'),
        passphrase: { file: join(dir, 'conf/key-pass') },
      },
    });
    expect(config.ars?.auth).toEqual({
      type: 'bearer',
      token: { file: join(dir, 'conf/secrets/ars-token') },
    });
    expect(config.dataDir).toBe(join(dir, 'conf/data'));
  });

  it('throws config-not-found for a missing file', async () => {
    const error = await loadConfig(join(dir, 'nope.yaml')).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ConfigNotFoundError);
    expect(isAgentError(error) && error.code).toBe('config-not-found');
    expect((error as Error).message).toContain(join(dir, 'nope.yaml'));
  });

  it('reports YAML syntax errors, duplicate keys and empty files without quoting the text', async () => {
    const syntax = await problemsOf('establishments: [ { finess: "970400024" }\nsources: secret-abc\n');
    expect(syntax[0]?.key).toBe('(file)');
    expect(syntax[0]?.message).toMatch(/^not valid YAML: .*line \d+, column \d+/);
    expect(JSON.stringify(syntax)).not.toContain('secret-abc');
    // One syntax error is one problem, however confused the parser is after it (follow-up F11).
    const unclosed = await problemsOf(
      'establishments:\n  - finess: "970400024"\nsources:\n  - { type: ndjson, paths: [./a, ./b }\nars: null\nlogging: { level: info }\nschedule: { cron: "0 5 1 * *" }\n',
    );
    expect(unclosed).toHaveLength(1);
    expect(unclosed[0]?.message).toMatch(
      /more syntax error\(s\) after it, which usually follow from this one/,
    );
    // Duplicate keys are each a problem of their own, all reported.
    const twice = await problemsOf(`${MINIMAL}dataDir: a\ndataDir: b\ndataDir: c\n`);
    expect(twice).toHaveLength(2);
    const duplicate = await problemsOf(`${MINIMAL}dataDir: a\ndataDir: b\n`);
    expect(duplicate[0]?.message).toContain('unique');
    expect(await problemsOf('# nothing yet\n')).toEqual([
      { key: '(file)', message: 'the file is empty (`esms init` writes a commented example)' },
    ]);
    expect(await problemsOf('- a\n- b\n')).toEqual([
      { key: '(root)', message: 'must be an object (found a list)' },
    ]);
  });

  it('reads JSON config files', async () => {
    const path = await writeConfig(
      JSON.stringify({
        establishments: [{ finess: '970400024' }],
        sources: [{ type: 'ndjson', paths: ['x'] }],
      }),
      'esms.config.json',
    );
    expect((await loadConfig(path)).config.sources).toEqual([{ type: 'ndjson', paths: [join(dir, 'x')] }]);
  });

  it('returns a frozen config: nothing changes it behind a run', async () => {
    const { config } = await loadConfig(await writeConfig(MINIMAL));
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.computation)).toBe(true);
    expect(() => {
      (config.computation as { finessMode: string }).finessMode = 'strict';
    }).toThrow(TypeError);
  });

  it('validates the example config that esms init writes', async () => {
    const { config } = await loadConfig(await writeConfig(EXAMPLE_CONFIG_YAML));
    expect(config.sources[0]).toMatchObject({
      type: 'fhir',
      auth: { type: 'bearer', token: { env: 'DUI_TOKEN' } },
    });
    expect(config.ars?.auth).toEqual({ type: 'bearer', token: { env: 'ESMS_ARS_TOKEN' } });
  });
});

describe('configDigest', () => {
  it('depends on the meaning of the config, not on key order or format', async () => {
    const yaml = await loadConfig(
      await writeConfig(
        `sources: [ { paths: [ ./export ], type: ndjson } ]\n${MINIMAL.split('sources:')[0] ?? ''}`,
      ),
    );
    const json = await loadConfig(
      await writeConfig(
        JSON.stringify({
          sources: [{ type: 'ndjson', paths: ['./export'] }],
          establishments: [{ finess: '970400024' }],
        }),
        'other.json',
      ),
    );
    expect(yaml.digest).toBe(json.digest);
    const changed = await loadConfig(
      await writeConfig(`${MINIMAL}computation: { countCancelledEvents: false }\n`, 'c.yaml'),
    );
    expect(changed.digest).not.toBe(yaml.digest);
    expect(configDigest(yaml.config)).toBe(yaml.digest);
  });

  it('covers secret references, never secret values', () => {
    const config = validateConfig(
      {
        establishments: [{ finess: '970400024' }],
        sources: [
          {
            type: 'fhir',
            baseUrl: 'https://dui.example.org/fhir',
            auth: { type: 'bearer', token: { env: 'DUI_TOKEN' } },
          },
        ],
      },
      dir,
    );
    expect(canonicalJson(config)).toContain('"token":{"env":"DUI_TOKEN"}');
    expect(canonicalJson({ b: 1, a: [{ d: 2, c: null }] })).toBe('{"a":[{"c":null,"d":2}],"b":1}');
  });
});
