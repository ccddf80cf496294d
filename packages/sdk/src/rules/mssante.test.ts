import { describe, expect, it } from 'vitest';
import { buildUsageEvent, usageEvents } from '../index.js';
import { FINESS, organisation, patient, sejour, usage, type UsageInput } from '../test-support/builders.js';
import { accompaniedPerson, compute, counts, essms, findings } from '../test-support/compute.js';

const msg = (id: string, extra: Partial<UsageInput> = {}) =>
  usage({ id, kind: 'mssante-message-sent', recorded: '2024-02-01T10:00:00+01:00', org: 'essms', ...extra });
const dmp = (id: string, extra: Partial<UsageInput> = {}) =>
  usage({
    id,
    kind: 'dmp-document-fed',
    recorded: '2024-02-01T10:00:00+01:00',
    org: 'essms',
    patient: 'p',
    ...extra,
  });
const mssante = (c: ReturnType<typeof compute>, finess: string = FINESS.paris) =>
  counts(c, finess, 'taux-mssante');

describe('MSSanté: messages sent by E in P, over the persons accompanied', () => {
  it('counts messages, not persons: the rate may exceed 100 %', () => {
    const c = compute([
      essms(),
      ...accompaniedPerson('p1'),
      ...accompaniedPerson('p2'),
      msg('m1'),
      msg('m2'),
      msg('m3', { patient: 'p1' }),
    ]);
    expect(c.results.establishments[0]?.indicators['taux-mssante']).toEqual({
      numerator: 3,
      denominator: 2,
      rate: 150,
      target: 70,
      met: true,
    });
  });

  it('a failed send (outcome ≠ 0) is ignored', () => {
    expect(
      mssante(
        compute([
          essms(),
          ...accompaniedPerson('p'),
          msg('m', { outcome: '8' }),
          msg('m2', { outcome: '4' }),
        ]),
      ),
    ).toEqual([0, 1]);
  });

  it('a message recorded outside P is ignored', () => {
    const c = compute([
      essms(),
      ...accompaniedPerson('p'),
      msg('before', { recorded: '2023-12-31T23:59:59+01:00' }),
      msg('d', { recorded: '2024-04-01T00:00:00+02:00' }),
    ]);
    expect(mssante(c)).toEqual([0, 1]);
  });

  it('agent.who by reference, by FINESS identifier, or by idNatSt identifier', () => {
    const c = compute([
      essms(),
      ...accompaniedPerson('p'),
      msg('by-ref'),
      msg('by-finess', { org: { finess: FINESS.paris } }),
      {
        ...msg('by-idnatst'),
        agent: [{ who: { identifier: { system: 'urn:oid:1.2.250.1.71.4.2.2', value: `1${FINESS.paris}` } } }],
      },
    ]);
    expect(mssante(c)).toEqual([3, 1]);
    expect(findings(c, 'unattributed-event')).toEqual([]);
  });

  it('the SDK’s own builders produce usage events the engine counts', () => {
    const c = compute([
      essms(),
      ...accompaniedPerson('p'),
      usageEvents.mssanteMessageSent({
        id: 'b1',
        recorded: '2024-02-01T10:00:00+01:00',
        establishment: { organizationId: 'essms' },
      }),
      buildUsageEvent({
        kind: 'mssante-message-sent',
        id: 'b2',
        recorded: '2024-02-01T10:00:00+01:00',
        establishment: { finess: FINESS.paris },
      }),
      usageEvents.mssanteMessageSent({
        id: 'b3',
        recorded: '2024-02-01T10:00:00+01:00',
        establishment: { finess: FINESS.paris },
        success: false,
      }),
      usageEvents.dmpDocumentFed({ id: 'b4', recorded: '2024-02-01T10:00:00+01:00', patientId: 'p' }),
    ]);
    expect(mssante(c)).toEqual([2, 1]);
    expect(counts(c, FINESS.paris, 'taux-dmp')).toEqual([1, 1]);
    // An 'E' AuditEvent about the person is not an update of the dossier.
    expect(counts(c, FINESS.paris, 'taux-dossiers-actifs')).toEqual([1, 1]);
  });

  it('no agent.who: attributed to the one ESSMS where the person was accompanied at that instant', () => {
    const c = compute([
      essms('a', FINESS.paris),
      essms('b', FINESS.paris2),
      patient({ id: 'p', lastUpdated: '2024-02-01T00:00:00Z' }),
      sejour({ id: 'sa', patient: 'p', org: 'a', start: '2023-06-01', end: '2024-02-10' }),
      sejour({ id: 'sb', patient: 'p', org: 'b', start: '2024-02-11' }),
      msg('in-a', { org: undefined, patient: 'p', recorded: '2024-02-10T23:30:00+01:00' }), // date-only end is inclusive
      msg('in-b', { org: undefined, patient: 'p', recorded: '2024-02-11T00:00:00+01:00' }),
      msg('in-b2', { org: undefined, patient: 'p', recorded: '2024-03-11T00:00:00+01:00' }),
    ]);
    expect(mssante(c, FINESS.paris)).toEqual([1, 1]);
    expect(mssante(c, FINESS.paris2)).toEqual([2, 1]);
    expect(findings(c, 'unattributed-event')).toEqual([]);
    expect(c.subjects.find((s) => s.finess === FINESS.paris2)?.indicators['taux-mssante']?.counted).toEqual({
      byAgent: 0,
      bySejour: 2,
    });
  });

  it('no agent.who and the person accompanied by two ESSMS at that instant: `unattributed-event`', () => {
    const c = compute([
      essms('a', FINESS.paris),
      essms('b', FINESS.paris2),
      ...accompaniedPerson('p', 'a'),
      ...accompaniedPerson('p', 'b').slice(1),
      msg('m', { org: undefined, patient: 'p' }),
    ]);
    expect(mssante(c, FINESS.paris)[0] + mssante(c, FINESS.paris2)[0]).toBe(0);
    expect(findings(c, 'unattributed-event')).toEqual([
      expect.objectContaining({ resourceType: 'AuditEvent', id: 'm' }),
    ]);
  });

  it('no agent.who and no séjour at that instant: `unattributed-event`', () => {
    const c = compute([
      essms(),
      patient({ id: 'p' }),
      sejour({ id: 's', patient: 'p', org: 'essms', start: '2024-03-01' }),
      msg('m', { org: undefined, patient: 'p', recorded: '2024-02-01T10:00:00+01:00' }),
    ]);
    expect(mssante(c)).toEqual([0, 1]);
    expect(findings(c, 'unattributed-event')).toEqual([expect.objectContaining({ id: 'm' })]);
  });

  it('no agent.who and no person: `unattributed-event`', () => {
    const c = compute([essms(), ...accompaniedPerson('p'), msg('m', { org: undefined })]);
    expect(findings(c, 'unattributed-event')).toEqual([expect.objectContaining({ id: 'm' })]);
  });

  it('agent.who naming an organisation that is not a reported ESSMS: `unattributed-event`, no fallback to the séjour', () => {
    const c = compute([
      essms(),
      organisation({ id: 'og', finess: FINESS.parisOg, type: 'FINEJ' }),
      ...accompaniedPerson('p'),
      msg('to-og', { org: 'og', patient: 'p' }),
      msg('to-nowhere', { org: 'not-in-input', patient: 'p' }),
      msg('to-unknown-finess', { org: { finess: FINESS.paris3 }, patient: 'p' }),
    ]);
    expect(mssante(c)).toEqual([0, 1]);
    expect(
      findings(c, 'unattributed-event')
        .map((f) => f.id)
        .sort(),
    ).toEqual(['to-nowhere', 'to-og', 'to-unknown-finess']);
  });
});

describe('DMP: persons accompanied by E in P with at least one document fed in P', () => {
  it('a person counts once however many documents', () => {
    const c = compute([
      essms(),
      ...accompaniedPerson('p'),
      ...accompaniedPerson('q'),
      dmp('d1'),
      dmp('d2'),
      dmp('d3'),
    ]);
    expect(counts(c, FINESS.paris, 'taux-dmp')).toEqual([1, 2]);
    expect(c.results.establishments[0]?.indicators['taux-dmp']).toMatchObject({ rate: 50, met: false });
  });

  it('the person must be accompanied by E in P', () => {
    const c = compute([
      essms('a', FINESS.paris),
      essms('b', FINESS.paris2),
      ...accompaniedPerson('p', 'b'),
      ...accompaniedPerson('q', 'a'),
      dmp('d', { org: 'a' }),
    ]);
    expect(counts(c, FINESS.paris, 'taux-dmp')).toEqual([0, 1]);
    expect(counts(c, FINESS.paris2, 'taux-dmp')).toEqual([0, 1]);
  });

  it('a failed feed or one outside P does not count', () => {
    const c = compute([
      essms(),
      ...accompaniedPerson('p'),
      dmp('d1', { outcome: '8' }),
      dmp('d2', { recorded: '2024-04-02T10:00:00+02:00' }),
    ]);
    expect(counts(c, FINESS.paris, 'taux-dmp')).toEqual([0, 1]);
  });

  it('without a person it is an error and counts nowhere', () => {
    const c = compute([essms(), ...accompaniedPerson('p'), dmp('d', { patient: undefined })]);
    expect(counts(c, FINESS.paris, 'taux-dmp')).toEqual([0, 1]);
    expect(c.results.dataQuality.errors).toEqual([
      expect.objectContaining({ resourceType: 'AuditEvent', id: 'd' }),
    ]);
  });

  it('without agent.who it is attributed through the séjour at that instant', () => {
    const c = compute([essms(), ...accompaniedPerson('p'), dmp('d', { org: undefined })]);
    expect(counts(c, FINESS.paris, 'taux-dmp')).toEqual([1, 1]);
  });

  it('the reason out of the numerator is `no-dmp-document-in-period`', () => {
    const c = compute([essms(), ...accompaniedPerson('p')]);
    expect(c.subjects[0]?.indicators['taux-dmp']?.outOfNumerator).toEqual([
      { person: 'Patient/p', reason: 'no-dmp-document-in-period' },
    ]);
  });
});

describe('agent.who by `urn:uuid:` inside a Bundle (data-model.md "Identity and references")', () => {
  const ORG_URN = 'urn:uuid:0b5e7a51-0000-4000-8000-000000000001';
  const OTHER_URN = 'urn:uuid:0b5e7a51-0000-4000-8000-000000000002';
  const viaUrn = (event: Record<string, unknown>, urn: string, typed = false): Record<string, unknown> => ({
    ...event,
    agent: [{ requestor: false, who: { reference: urn, ...(typed ? { type: 'Organization' } : {}) } }],
  });
  /** The ESSMS (known by its urn only), a Practitioner at OTHER_URN, one person accompanied, the events. */
  const inBundle = (events: Record<string, unknown>[]) => {
    const org = essms();
    delete org.id;
    const [person, stay] = accompaniedPerson('p');
    return compute([
      {
        resourceType: 'Bundle',
        type: 'collection',
        entry: [
          { fullUrl: ORG_URN, resource: org },
          { fullUrl: OTHER_URN, resource: { resourceType: 'Practitioner' } },
          { resource: person },
          { resource: { ...stay, serviceProvider: { reference: ORG_URN } } },
          ...events.map((resource) => ({ resource })),
        ],
      },
    ]);
  };

  it('names the ESSMS when it resolves to an Organization, typed or not, even without a person', () => {
    const c = inBundle([
      viaUrn(msg('m1', { org: undefined }), ORG_URN),
      viaUrn(msg('m2', { org: undefined }), ORG_URN, true),
      viaUrn(dmp('d1', { org: undefined }), ORG_URN),
    ]);
    expect(mssante(c)).toEqual([2, 1]);
    expect(counts(c, FINESS.paris, 'taux-dmp')).toEqual([1, 1]);
    expect(c.results.dataQuality.errors).toEqual([]);
  });

  it('one that names something else (a Practitioner) falls back to the séjours, as with no agent.who', () => {
    const c = inBundle([
      viaUrn(msg('m1', { org: undefined, patient: 'p' }), OTHER_URN),
      viaUrn(msg('m2', { org: undefined }), OTHER_URN),
    ]);
    expect(mssante(c)).toEqual([1, 1]);
    expect(findings(c, 'unattributed-event')).toEqual([expect.objectContaining({ id: 'm2' })]);
  });
});
