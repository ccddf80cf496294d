import { describe, expect, it } from 'vitest';
import { sealedInputNamer, withSealedInput } from './sealed-input-names.js';

describe('sealedInputNamer (audit G10)', () => {
  const name = sealedInputNamer(['/home/jdupont/exports', '/srv/dui/extra.ndjson', 'relative/dir']);
  it('names a file by its path under the configured directory, or by its name when configured itself', () => {
    expect(name('/home/jdupont/exports/Patient.000.ndjson')).toBe('Patient.000.ndjson');
    expect(name('/home/jdupont/exports/2024/Encounter.ndjson')).toBe('2024/Encounter.ndjson');
    expect(name('/srv/dui/extra.ndjson')).toBe('extra.ndjson');
    expect(name('relative/dir/a.json')).toBe('a.json');
  });
  it('keeps what is not a local path, and never keeps an absolute path outside the roots', () => {
    expect(name('Encounter search')).toBe('Encounter search');
    expect(name('https://dui.example/fhir/Encounter?_count=100')).toBe(
      'https://dui.example/fhir/Encounter?_count=100',
    );
    expect(name('/home/jdupont/elsewhere/x.ndjson')).toBe('x.ndjson');
  });
  it('renames only location.input', () => {
    const finding = {
      code: 'invalid-resource',
      location: { input: '/home/jdupont/exports/a.ndjson', line: 3 },
    };
    expect(withSealedInput(finding, name)).toEqual({
      code: 'invalid-resource',
      location: { input: 'a.ndjson', line: 3 },
    });
    const none = { code: 'duplicate-record' };
    expect(withSealedInput(none, name)).toBe(none);
  });
});
