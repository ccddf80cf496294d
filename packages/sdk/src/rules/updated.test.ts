import { describe, expect, it } from 'vitest';
import { appointment, auditUpdate, FINESS, patient, recordAbout, sejour } from '../test-support/builders.js';
import { compute, counts, essms, findings } from '../test-support/compute.js';

/** A person accompanied over P whose dossier has no update of its own, plus the given records. */
function withRecords(...records: Record<string, unknown>[]) {
  return compute([
    essms(),
    patient({ id: 'p' }),
    sejour({ id: 's', patient: 'p', org: 'essms', start: '2023-06-01' }),
    ...records,
  ]);
}
const active = (c: ReturnType<typeof compute>) => counts(c, FINESS.paris, 'taux-dossiers-actifs');

describe('active dossier: updated at least once in P', () => {
  it('without any update the dossier is not active', () => {
    expect(active(withRecords())).toEqual([0, 1]);
  });

  it('the Patient’s meta.lastUpdated in P', () => {
    const c = compute([
      essms(),
      patient({ id: 'p', lastUpdated: '2024-03-31T21:59:59Z' }),
      sejour({ id: 's', patient: 'p', org: 'essms', start: '2023-06-01' }),
    ]);
    expect(active(c)).toEqual([1, 1]);
  });

  it('the Patient’s meta.lastUpdated before P does not count', () => {
    const c = compute([
      essms(),
      patient({ id: 'p', lastUpdated: '2023-12-31T22:59:59Z' }),
      sejour({ id: 's', patient: 'p', org: 'essms', start: '2023-06-01' }),
    ]);
    expect(active(c)).toEqual([0, 1]);
  });

  it.each([
    ['Observation', 'subject'],
    ['AllergyIntolerance', 'patient'],
  ] as const)('meta.lastUpdated of a %s whose %s is the person', (resourceType, field) => {
    expect(
      active(
        withRecords(
          recordAbout({
            resourceType,
            id: 'r',
            patient: 'p',
            lastUpdated: '2024-02-01T08:00:00+01:00',
            field,
          }),
        ),
      ),
    ).toEqual([1, 1]);
  });

  it('meta.lastUpdated of a record whose participant is the person (Appointment)', () => {
    const a = appointment({ id: 'a', patient: 'p', start: '2023-01-01T10:00:00+01:00' });
    a.meta = { lastUpdated: '2024-03-01T08:00:00+01:00' };
    expect(active(withRecords(a))).toEqual([1, 1]);
  });

  it('meta.lastUpdated of the séjour itself', () => {
    const c = compute([
      essms(),
      patient({ id: 'p' }),
      sejour({
        id: 's',
        patient: 'p',
        org: 'essms',
        start: '2023-06-01',
        lastUpdated: '2024-01-10T09:00:00+01:00',
      }),
    ]);
    expect(active(c)).toEqual([1, 1]);
  });

  it('meta.lastUpdated of a record about someone else does not count', () => {
    expect(
      active(
        withRecords(
          patient({ id: 'q', lastUpdated: '2024-02-01T00:00:00Z' }),
          recordAbout({
            resourceType: 'Observation',
            id: 'o',
            patient: 'q',
            lastUpdated: '2024-02-01T00:00:00Z',
          }),
        ),
      ),
    ).toEqual([0, 1]);
  });

  it.each(['C', 'U', 'D'] as const)(
    'an AuditEvent action %s, outcome 0, entity the person, recorded in P',
    (action) => {
      expect(
        active(
          withRecords(auditUpdate({ id: 'ae', patient: 'p', recorded: '2024-02-01T08:00:00+01:00', action })),
        ),
      ).toEqual([1, 1]);
    },
  );

  it('a read (action R) does not count', () => {
    expect(
      active(
        withRecords(
          auditUpdate({ id: 'ae', patient: 'p', recorded: '2024-02-01T08:00:00+01:00', action: 'R' }),
        ),
      ),
    ).toEqual([0, 1]);
  });

  it.each(['4', '8', '12'])('an AuditEvent with outcome %s (failure) does not count', (outcome) => {
    expect(
      active(
        withRecords(auditUpdate({ id: 'ae', patient: 'p', recorded: '2024-02-01T08:00:00+01:00', outcome })),
      ),
    ).toEqual([0, 1]);
  });

  it('an AuditEvent recorded outside P does not count', () => {
    expect(
      active(
        withRecords(
          auditUpdate({ id: 'ae1', patient: 'p', recorded: '2024-03-31T22:00:00Z' }),
          auditUpdate({ id: 'ae2', patient: 'p', recorded: '2023-12-31T22:59:59Z' }),
        ),
      ),
    ).toEqual([0, 1]);
  });

  it('an AuditEvent whose entity is another record (not a Patient) does not make the person’s dossier active', () => {
    const ae = auditUpdate({ id: 'ae', patient: 'p', recorded: '2024-02-01T08:00:00+01:00' });
    ae.entity = [{ what: { reference: 'Encounter/s' } }];
    expect(active(withRecords(ae))).toEqual([0, 1]);
  });

  it('the AuditEvent’s own meta.lastUpdated is when it was logged, not an update of the dossier', () => {
    const ae = auditUpdate({ id: 'ae', patient: 'p', recorded: '2023-01-01T08:00:00+01:00' });
    ae.meta = { lastUpdated: '2024-02-01T08:00:00+01:00' };
    expect(active(withRecords(ae))).toEqual([0, 1]);
  });

  it('`history-missing`: one warning with the number of records about persons last updated after P', () => {
    const c = withRecords(
      recordAbout({
        resourceType: 'Observation',
        id: 'o1',
        patient: 'p',
        lastUpdated: '2024-04-02T08:00:00+02:00',
      }),
      recordAbout({
        resourceType: 'Observation',
        id: 'o2',
        patient: 'p',
        lastUpdated: '2024-06-02T08:00:00+02:00',
      }),
      recordAbout({
        resourceType: 'Observation',
        id: 'o3',
        patient: 'p',
        lastUpdated: '2024-03-02T08:00:00+01:00',
      }),
    );
    expect(findings(c, 'history-missing')).toEqual([expect.objectContaining({ count: 2 })]);
    expect(c.results.dataQuality.warnings.filter((w) => w.code === 'history-missing')).toHaveLength(1);
  });

  it('no `history-missing` warning when nothing was updated after P', () => {
    const c = withRecords(
      recordAbout({
        resourceType: 'Observation',
        id: 'o',
        patient: 'p',
        lastUpdated: '2024-03-02T08:00:00+01:00',
      }),
    );
    expect(findings(c, 'history-missing')).toEqual([]);
  });
});
