import { describe, expect, it } from 'vitest';
import { MAX_ZONES } from '@esms-numerique/sdk';
import { ConfigInvalidError } from './config-invalid-error.js';
import { computeOptionsFromConfig } from './compute-options.js';
import { validateConfig } from './load-config.js';

/** More distinct IANA zones than a computation can classify against, whatever FINESS numbers map to. */
const MANY_ZONES = Intl.supportedValuesOf('timeZone').slice(0, MAX_ZONES + 8);

function configWithZones(zones: readonly string[]): unknown {
  return {
    establishments: zones.map((timezone, i) => ({ finess: `75${String(i).padStart(7, '0')}`, timezone })),
    sources: [{ type: 'ndjson', paths: ['export'] }],
  };
}

describe('a config is checked against the SDK options it maps to, under its own keys', () => {
  it('refuses more distinct establishments[].timezone than the SDK supports, naming that key (not timezoneOverrides)', () => {
    let caught: unknown;
    try {
      validateConfig(configWithZones(MANY_ZONES), '/tmp');
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ConfigInvalidError);
    const { problems, message } = caught as ConfigInvalidError;
    expect(problems).toEqual([
      { key: 'establishments[].timezone', message: expect.stringMatching(/distinct time zones/) as string },
    ]);
    expect(message).not.toContain('timezoneOverrides');
  });

  it('accepts a config with a few overrides, and maps them to the SDK option', () => {
    const config = validateConfig(configWithZones(['Indian/Reunion', 'Pacific/Noumea']), '/tmp');
    expect(computeOptionsFromConfig(config, '2024-04-01').timezoneOverrides).toEqual({
      '750000000': 'Indian/Reunion',
      '750000001': 'Pacific/Noumea',
    });
  });
});
