import { describe, expect, it } from 'vitest';
import {
  evenement,
  FINESS,
  insIdentifier,
  patient,
  projetPersonnalise,
  sejour,
  SYSTEM,
} from '../test-support/builders.js';
import { compute, counts, essms, findings } from '../test-support/compute.js';

const NIR = '147720425367411';

/** Two Patient records, each with a séjour at the same ESSMS over P: how many persons does the ESSMS have? */
function twoRecords(a: Record<string, unknown>, b: Record<string, unknown>) {
  return compute([
    essms(),
    a,
    b,
    sejour({ id: 'sa', patient: String(a.id), org: 'essms', start: '2023-01-01' }),
    sejour({ id: 'sb', patient: String(b.id), org: 'essms', start: '2023-06-01' }),
  ]);
}

const denominator = (c: ReturnType<typeof compute>) => counts(c, FINESS.paris, 'taux-dossiers-actifs')[1];

describe('persons: one person, however many Patient records', () => {
  it('two Patients sharing an INS-NIR typed INS-NIR without a link are merged, with a duplicate-person warning', () => {
    const c = twoRecords(patient({ id: 'a', ins: NIR }), patient({ id: 'b', ins: NIR }));
    expect(denominator(c)).toBe(1);
    expect(findings(c, 'duplicate-person')).toEqual([
      expect.objectContaining({ resourceType: 'Patient', id: 'b', related: ['Patient/a'] }),
    ]);
    expect(c.results.dataQuality.warnings.map((w) => w.code)).toContain('duplicate-person');
    // The other record is named in `related`, never inside the message (which the agent cannot
    // pseudonymise), and the INS nowhere.
    expect(findings(c, 'duplicate-person')[0]?.message).not.toContain('Patient/a');
    expect(JSON.stringify(c.results)).not.toContain(NIR);
  });

  it('the same system typed NH (a billing number, maybe a parent’s) never merges two persons', () => {
    const nh = (id: string) => patient({ id, identifiers: [insIdentifier(NIR, 'NH')] });
    const c = twoRecords(nh('child1'), nh('child2'));
    expect(denominator(c)).toBe(2);
    expect(findings(c, 'duplicate-person')).toEqual([]);
  });

  it('the same system untyped never merges two persons either', () => {
    const untyped = (id: string) => patient({ id, identifiers: [insIdentifier(NIR, null)] });
    expect(denominator(twoRecords(untyped('a'), untyped('b')))).toBe(2);
  });

  it('INS-NIA (…1.4.9) merges', () => {
    const c = twoRecords(
      patient({ id: 'a', insNia: '297022A12345678' }),
      patient({ id: 'b', insNia: '297022A12345678' }),
    );
    expect(denominator(c)).toBe(1);
    expect(findings(c, 'duplicate-person')).toHaveLength(1);
  });

  it('an INS on one record and an INS-NIA on the other do not merge: different identifiers', () => {
    expect(denominator(twoRecords(patient({ id: 'a', ins: NIR }), patient({ id: 'b', insNia: NIR })))).toBe(
      2,
    );
  });

  it.each(['replaced-by', 'replaces', 'seealso'] as const)(
    'Patient.link %s merges, without a warning',
    (type) => {
      const c = twoRecords(patient({ id: 'a', links: [{ other: 'b', type }] }), patient({ id: 'b' }));
      expect(denominator(c)).toBe(1);
      expect(findings(c, 'duplicate-person')).toEqual([]);
    },
  );

  it('Patient.link refer does not merge', () => {
    const c = twoRecords(patient({ id: 'a', links: [{ other: 'b', type: 'refer' }] }), patient({ id: 'b' }));
    expect(denominator(c)).toBe(2);
  });

  it('linked records sharing an INS are merged without a duplicate-person warning (the DUI already merged them)', () => {
    const c = twoRecords(
      patient({ id: 'a', ins: NIR, links: [{ other: 'b', type: 'replaced-by' }] }),
      patient({ id: 'b', ins: NIR, links: [{ other: 'a', type: 'replaces' }] }),
    );
    expect(denominator(c)).toBe(1);
    expect(findings(c, 'duplicate-person')).toEqual([]);
  });

  it('links are transitive: a → b → c is one person', () => {
    const c = compute([
      essms(),
      patient({ id: 'a', links: [{ other: 'b', type: 'replaced-by' }] }),
      patient({ id: 'b', links: [{ other: 'c', type: 'replaced-by' }] }),
      patient({ id: 'c' }),
      ...['a', 'b', 'c'].map((id) =>
        sejour({ id: `s${id}`, patient: id, org: 'essms', start: '2023-06-01' }),
      ),
    ]);
    expect(denominator(c)).toBe(1);
  });

  it('a link to a Patient that is not in the input is reported, never guessed', () => {
    const c = compute([essms(), patient({ id: 'a', links: [{ other: 'gone', type: 'replaced-by' }] })]);
    expect(findings(c, 'unknown-subject')).toEqual([
      expect.objectContaining({ resourceType: 'Patient', id: 'a' }),
    ]);
  });

  it('a person counts once, and what is recorded on any of their records is theirs', () => {
    // Updated through record a, projet personnalisé and event on record b: one complete person.
    const c = compute([
      essms(),
      patient({ id: 'a', ins: NIR, lastUpdated: '2024-02-01T10:00:00+01:00' }),
      patient({ id: 'b', ins: NIR }),
      sejour({ id: 'sa', patient: 'a', org: 'essms', start: '2023-01-01', end: '2023-12-31' }),
      sejour({ id: 'sb', patient: 'b', org: 'essms', start: '2024-01-15' }),
      projetPersonnalise({ id: 'pp', patient: 'b' }),
      evenement({ id: 'ev', patient: 'b', start: '2024-03-01T10:00:00+01:00' }),
    ]);
    expect(counts(c, FINESS.paris, 'taux-dossiers-actifs')).toEqual([1, 1]);
    expect(counts(c, FINESS.paris, 'taux-projet-personnalise')).toEqual([1, 1]);
    expect(counts(c, FINESS.paris, 'taux-evenement-agenda')).toEqual([1, 1]);
    expect(c.results.establishments[0]?.fileActive).toBe(1);
  });

  it('references by a local identifier reach the Patient', () => {
    const s = sejour({ id: 's', patient: 'x', org: 'essms', start: '2023-06-01' });
    s.subject = { identifier: { system: SYSTEM.localUsager, value: `3${FINESS.paris}/p` } };
    const c = compute([essms(), patient({ id: 'p', lastUpdated: '2024-02-01T00:00:00Z' }), s]);
    expect(counts(c, FINESS.paris, 'taux-dossiers-actifs')).toEqual([1, 1]);
  });

  it('an identifier shared by two records of the same person (duplicates sharing an INS) still names that person', () => {
    const s = sejour({ id: 's', patient: 'x', org: 'essms', start: '2023-06-01' });
    s.subject = { type: 'Patient', identifier: { system: SYSTEM.insNir, value: NIR } };
    const c = compute([
      essms(),
      patient({ id: 'a', ins: NIR, lastUpdated: '2024-02-01T00:00:00Z' }),
      patient({ id: 'b', ins: NIR }),
      s,
    ]);
    expect(counts(c, FINESS.paris, 'taux-dossiers-actifs')).toEqual([1, 1]);
    expect(findings(c, 'unknown-subject')).toEqual([]);
  });

  it('an identifier shared by two Patients (a parent’s billing number) resolves to neither: unknown-subject', () => {
    const shared = { system: 'https://dui.example/billing', value: 'F-1' };
    const s = sejour({ id: 's', patient: 'x', org: 'essms', start: '2023-06-01' });
    s.subject = { identifier: shared };
    const c = compute([
      essms(),
      patient({ id: 'a', identifiers: [shared] }),
      patient({ id: 'b', identifiers: [shared] }),
      s,
    ]);
    expect(denominator(c)).toBe(0);
    expect(findings(c, 'unknown-subject')).toEqual([
      expect.objectContaining({ resourceType: 'Encounter', id: 's' }),
    ]);
  });
});
