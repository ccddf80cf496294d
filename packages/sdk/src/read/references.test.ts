import { describe, expect, it } from 'vitest';
import { defaultRecognisers } from '../index.js';
import { evenement, FINESS, patient, sejour, SYSTEM } from '../test-support/builders.js';
import { accompaniedPerson, compute, counts, essms, findings } from '../test-support/compute.js';

const person = patient({ id: 'p', lastUpdated: '2024-02-01T10:00:00+01:00' });
const accompanied = (c: ReturnType<typeof compute>) => counts(c, FINESS.paris, 'taux-dossiers-actifs')[1];

describe('references and input order', () => {
  it('resolves `urn:uuid:` full URLs inside a Bundle', () => {
    const org = essms('e1');
    const pat = patient({ id: 'p1', lastUpdated: '2024-02-01T10:00:00Z' });
    const s = sejour({ id: 's1', patient: 'x', org: 'x', start: '2023-06-01' });
    delete org.id;
    delete pat.id;
    s.subject = { reference: 'urn:uuid:6f1f8f3e-0000-4000-8000-000000000001' };
    s.serviceProvider = { reference: 'urn:uuid:6f1f8f3e-0000-4000-8000-000000000002' };
    const b = {
      resourceType: 'Bundle',
      type: 'transaction',
      entry: [
        {
          fullUrl: 'urn:uuid:6f1f8f3e-0000-4000-8000-000000000003',
          resource: s,
          request: { method: 'POST', url: 'Encounter' },
        },
        {
          fullUrl: 'urn:uuid:6f1f8f3e-0000-4000-8000-000000000001',
          resource: pat,
          request: { method: 'POST', url: 'Patient' },
        },
        {
          fullUrl: 'urn:uuid:6f1f8f3e-0000-4000-8000-000000000002',
          resource: org,
          request: { method: 'POST', url: 'Organization' },
        },
      ],
    };
    const c = compute([b]);
    expect(counts(c, FINESS.paris, 'taux-dossiers-actifs')).toEqual([1, 1]);
    expect(c.results.dataQuality.errors).toEqual([]);
  });

  it('resolves `reference.identifier` (séjour subject by local id, provider by FINESS)', () => {
    const s = sejour({ id: 's', patient: 'x', org: 'x', start: '2023-06-01' });
    s.subject = { type: 'Patient', identifier: { system: SYSTEM.localUsager, value: `3${FINESS.paris}/p` } };
    s.serviceProvider = {
      type: 'Organization',
      identifier: { system: SYSTEM.idNatSt, value: `1${FINESS.paris}` },
    };
    expect(counts(compute([essms(), person, s]), FINESS.paris, 'taux-dossiers-actifs')).toEqual([1, 1]);
  });

  it('resolves absolute URLs and versioned references', () => {
    const s = sejour({ id: 's', patient: 'x', org: 'x', start: '2023-06-01' });
    s.subject = { reference: 'https://dui.example/fhir/Patient/p/_history/3' };
    s.serviceProvider = { reference: 'Organization/essms/_history/1' };
    expect(counts(compute([essms(), person, s]), FINESS.paris, 'taux-dossiers-actifs')).toEqual([1, 1]);
  });

  it('resolves conditional references (`Organization?identifier=system|value`), as bulk exports write them', () => {
    const s = sejour({ id: 's', patient: 'p', org: 'x', start: '2023-06-01' });
    s.serviceProvider = {
      reference: `Organization?identifier=${encodeURIComponent(`${SYSTEM.finess}|${FINESS.paris}`)}`,
    };
    expect(counts(compute([essms(), person, s]), FINESS.paris, 'taux-dossiers-actifs')).toEqual([1, 1]);
  });

  it('an editor’s recogniser decides what a séjour is, delegating the rest to the defaults', () => {
    const visit = sejour({ id: 's', patient: 'p', org: 'essms', start: '2023-06-01', via: 'fallback' });
    delete visit.serviceProvider;
    visit.class = { code: 'ACCOMPAGNEMENT' };
    visit.location = [{ location: { reference: 'Organization/essms' } }];
    const records = [essms(), person, visit];
    expect(accompanied(compute(records))).toBe(0);
    const c = compute(records, {
      recognisers: {
        encounterKind: (e) =>
          (e.class as { code?: string } | undefined)?.code === 'ACCOMPAGNEMENT'
            ? 'sejour'
            : defaultRecognisers.encounterKind(e),
      },
    });
    // Recognised, but a séjour still needs its provider: reported, not guessed from the location.
    expect(accompanied(c)).toBe(0);
    expect(findings(c, 'unknown-establishment')).toEqual([expect.objectContaining({ id: 's' })]);
  });

  it('input in any order gives the same results (Encounters before Patients and Organizations)', () => {
    const records = [
      essms('e1', FINESS.paris),
      essms('e2', FINESS.reunion),
      ...accompaniedPerson('p1', 'e1', { ins: '147720425367411' }),
      ...accompaniedPerson('p2', 'e2', { ins: '147720425367411' }),
      ...accompaniedPerson('p3', 'e2', { updated: false }),
      evenement({ id: 'ev', patient: 'p1', start: '2024-02-02', via: 'partOf', partOf: 'sej-p1-e1' }),
    ];
    const reference = JSON.stringify(compute(records));
    const reversed = JSON.stringify(compute([...records].reverse()));
    expect(reversed).toBe(reference);
    // A fixed rotation per run keeps the test deterministic; properties.test.ts shuffles arbitrarily.
    for (let k = 1; k < records.length; k++) {
      const rotated = [...records.slice(k), ...records.slice(0, k)];
      expect(JSON.stringify(compute(rotated))).toBe(reference);
    }
  });
});
