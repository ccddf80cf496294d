import { join } from 'node:path';
import { MAX_ZONES } from '@esms-numerique/sdk';
import { afterAll, describe, expect, it } from 'vitest';
import { esms, killChildren, REPO_ROOT } from './support/processes.js';

const FIXTURE = join(REPO_ROOT, 'test/fixtures/two-essms/export');
afterAll(async () => {
  await killChildren();
});

describe('esms compute: an option the SDK refuses is told under the flag the user typed', () => {
  it('too many --timezone zones: usage error (exit 2) naming --timezone, not the SDK option key', async () => {
    const zones = Intl.supportedValuesOf('timeZone').slice(0, MAX_ZONES + 8);
    const flags = zones.flatMap((zone, i) => ['--timezone', `75${String(i).padStart(7, '0')}=${zone}`]);
    const compute = ['compute', '--input', FIXTURE, '--measure-date', '2024-04-01', '--no-progress'];
    const run = await esms([...compute, ...flags]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/--timezone names \d+ distinct time zones/);
    expect(run.stderr).not.toContain('timezoneOverrides');
  });

  it('is told as plain text then the usage, as a config or commander error is, never as a JSON log line', async () => {
    const zones = Intl.supportedValuesOf('timeZone').slice(0, MAX_ZONES + 8);
    const flags = zones.flatMap((zone, i) => ['--timezone', `75${String(i).padStart(7, '0')}=${zone}`]);
    const tooManyZones = await esms([
      'compute',
      '--input',
      FIXTURE,
      '--measure-date',
      '2024-04-01',
      ...flags,
    ]);
    const badDate = await esms(['compute', '--input', FIXTURE, '--measure-date', '2024-13-01']);
    const commanderError = await esms(['compute', '--measure-date', '2024-04-01']);
    expect(commanderError.code).toBe(2);
    for (const run of [tooManyZones, badDate]) {
      expect(run.code).toBe(2);
      expect(run.stderr).toMatch(/^esms: invalid options: --(timezone|measure-date) /);
      expect(run.stderr).not.toContain('"level"');
      // The verb's usage follows, as it does after commander's own errors (showHelpAfterError).
      expect(run.stderr).toContain('Usage: esms compute [options]');
      expect(commanderError.stderr).toContain('Usage: esms compute [options]');
    }
  });
});
