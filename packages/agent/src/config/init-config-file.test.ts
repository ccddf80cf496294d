import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigExistsError } from './config-exists-error.js';
import { EXAMPLE_CONFIG_YAML } from './example-config.js';
import { initConfigFile } from './init-config-file.js';
import { loadConfig } from './load-config.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'esms-init-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('initConfigFile', () => {
  it('writes the commented example, which loads as a valid config', async () => {
    const path = join(dir, 'nested/esms.config.yaml');
    expect(await initConfigFile(path)).toEqual({ path, backupPath: null });
    const text = await readFile(path, 'utf8');
    expect(text).toBe(EXAMPLE_CONFIG_YAML);
    expect(text).toContain('{ env: DUI_TOKEN }');
    const { config } = await loadConfig(path);
    expect(config.dataDir).toBe(join(dir, 'nested/esms-data'));
    expect(await readdir(join(dir, 'nested'))).toEqual(['esms.config.yaml']);
  });

  it('refuses to overwrite an existing file and leaves it as it was', async () => {
    const path = join(dir, 'esms.config.yaml');
    await writeFile(path, 'my: edits\n');
    const error = await initConfigFile(path).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ConfigExistsError);
    expect((error as ConfigExistsError).code).toBe('config-exists');
    expect(await readFile(path, 'utf8')).toBe('my: edits\n');
    expect(await readdir(dir)).toEqual(['esms.config.yaml']);
  });

  it('with force, replaces the file and keeps the previous one as .bak', async () => {
    const path = join(dir, 'esms.config.yaml');
    await writeFile(path, 'my: edits\n');
    expect(await initConfigFile(path, { force: true })).toEqual({ path, backupPath: `${path}.bak` });
    expect(await readFile(path, 'utf8')).toBe(EXAMPLE_CONFIG_YAML);
    expect(await readFile(`${path}.bak`, 'utf8')).toBe('my: edits\n');
    expect((await readdir(dir)).sort()).toEqual(['esms.config.yaml', 'esms.config.yaml.bak']);
  });
});
