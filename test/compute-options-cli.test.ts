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
});
