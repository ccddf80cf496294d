import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { resolveConfigPath } from './config-path.js';

describe('resolveConfigPath', () => {
  const cwd = '/srv/esms';
  it('prefers --config, then ESMS_CONFIG, then ./esms.config.yaml', () => {
    expect(resolveConfigPath('conf/a.yaml', { ESMS_CONFIG: '/etc/esms.yaml' }, cwd)).toBe(
      join(cwd, 'conf/a.yaml'),
    );
    expect(resolveConfigPath(undefined, { ESMS_CONFIG: '/etc/esms.yaml' }, cwd)).toBe('/etc/esms.yaml');
    expect(resolveConfigPath(undefined, { ESMS_CONFIG: '' }, cwd)).toBe(join(cwd, 'esms.config.yaml'));
    expect(resolveConfigPath(undefined, {}, cwd)).toBe(join(cwd, 'esms.config.yaml'));
  });
});
