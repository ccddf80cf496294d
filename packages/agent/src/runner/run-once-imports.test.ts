import { describe, expect, it } from 'vitest';
import { staticPackages } from '../test-support/static-imports.js';

describe('what esms run-once loads before it reads (issue 13)', () => {
  it('loads no HTTP, FHIR client or ASN.1 code: a run with files, no ARS, no TSA and no alerts needs none', () => {
    const packages = staticPackages('commands/run-once.ts');
    // It does load what every run needs, so the walk does follow the imports.
    expect([...packages.keys()]).toContain('@esms-numerique/sdk');
    expect([...packages.keys()]).toContain('yaml');
    for (const heavy of ['axios', 'undici', 'pkijs', 'asn1js', 'fhir-kit-client', 'pdfkit']) {
      expect(
        packages.get(heavy),
        `${heavy} is loaded through ${packages.get(heavy)?.join(' → ')}`,
      ).toBeUndefined();
    }
  });
});
