import { describe, expect, it } from 'vitest';
import { dmpFeed, FINESS, message, organisation, patient, sejour } from '../test-support/builders.js';
import { accompaniedPerson, compute, counts, essms, findings } from '../test-support/compute.js';

const mssante = (c: ReturnType<typeof compute>, finess: string = FINESS.paris) =>
  counts(c, finess, 'taux-mssante');

describe('attribution: agent.who, else the one ESSMS where the person was accompanied at that instant', () => {
  it('no agent.who: attributed to the one ESSMS where the person was accompanied at that instant', () => {
    const c = compute([
      essms('a', FINESS.paris),
      essms('b', FINESS.paris2),
      patient({ id: 'p', lastUpdated: '2024-02-01T00:00:00Z' }),
      sejour({ id: 'sa', patient: 'p', org: 'a', start: '2023-06-01', end: '2024-02-10' }),
      sejour({ id: 'sb', patient: 'p', org: 'b', start: '2024-02-11' }),
      message('in-a', { org: undefined, patient: 'p', recorded: '2024-02-10T23:30:00+01:00' }), // date-only end is inclusive
      message('in-b', { org: undefined, patient: 'p', recorded: '2024-02-11T00:00:00+01:00' }),
      message('in-b2', { org: undefined, patient: 'p', recorded: '2024-03-11T00:00:00+01:00' }),
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
      message('m', { org: undefined, patient: 'p' }),
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
      message('m', { org: undefined, patient: 'p', recorded: '2024-02-01T10:00:00+01:00' }),
    ]);
    expect(mssante(c)).toEqual([0, 1]);
    expect(findings(c, 'unattributed-event')).toEqual([expect.objectContaining({ id: 'm' })]);
  });

  it('no agent.who and no person: `unattributed-event`', () => {
    const c = compute([essms(), ...accompaniedPerson('p'), message('m', { org: undefined })]);
    expect(findings(c, 'unattributed-event')).toEqual([expect.objectContaining({ id: 'm' })]);
  });

  it('agent.who naming an organisation that is not a reported ESSMS: `unattributed-event`, no fallback to the séjour', () => {
    const c = compute([
      essms(),
      organisation({ id: 'og', finess: FINESS.parisOg, type: 'FINEJ' }),
      ...accompaniedPerson('p'),
      message('to-og', { org: 'og', patient: 'p' }),
      message('to-nowhere', { org: 'not-in-input', patient: 'p' }),
      message('to-unknown-finess', { org: { finess: FINESS.paris3 }, patient: 'p' }),
    ]);
    expect(mssante(c)).toEqual([0, 1]);
    expect(
      findings(c, 'unattributed-event')
        .map((f) => f.id)
        .sort(),
    ).toEqual(['to-nowhere', 'to-og', 'to-unknown-finess']);
  });
  it('without agent.who it is attributed through the séjour at that instant', () => {
    const c = compute([essms(), ...accompaniedPerson('p'), dmpFeed('d', { org: undefined })]);
    expect(counts(c, FINESS.paris, 'taux-dmp')).toEqual([1, 1]);
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
      viaUrn(message('m1', { org: undefined }), ORG_URN),
      viaUrn(message('m2', { org: undefined }), ORG_URN, true),
      viaUrn(dmpFeed('d1', { org: undefined }), ORG_URN),
    ]);
    expect(mssante(c)).toEqual([2, 1]);
    expect(counts(c, FINESS.paris, 'taux-dmp')).toEqual([1, 1]);
    expect(c.results.dataQuality.errors).toEqual([]);
  });

  it('one that names something else (a Practitioner) falls back to the séjours, as with no agent.who', () => {
    const c = inBundle([
      viaUrn(message('m1', { org: undefined, patient: 'p' }), OTHER_URN),
      viaUrn(message('m2', { org: undefined }), OTHER_URN),
    ]);
    expect(mssante(c)).toEqual([1, 1]);
    expect(findings(c, 'unattributed-event')).toEqual([expect.objectContaining({ id: 'm2' })]);
  });
});

describe('agent.who naming several organisations (data-model.md, issue 9 §4)', () => {
  const withAgents = (event: Record<string, unknown>, ...whos: Record<string, unknown>[]) => ({
    ...event,
    agent: whos.map((who) => ({ requestor: false, who })),
  });
  const records = (...events: Record<string, unknown>[]) =>
    compute([
      organisation({ id: 'og', finess: FINESS.parisOg, type: 'FINEJ' }),
      essms('a', FINESS.paris, { partOf: 'og' }),
      essms('b', FINESS.paris2, { partOf: 'og' }),
      ...accompaniedPerson('p', 'a'),
      ...events,
    ]);

  it('two different ESSMS: `unattributed-event`, counted nowhere (no fallback to the séjour)', () => {
    const c = records(
      withAgents(
        message('m', { patient: 'p' }),
        { reference: 'Organization/a' },
        { reference: 'Organization/b' },
      ),
      withAgents(
        dmpFeed('d', { patient: 'p' }),
        { reference: 'Organization/b' },
        { identifier: { system: 'https://finess.esante.gouv.fr', value: FINESS.paris } },
      ),
    );
    expect(mssante(c, FINESS.paris)[0] + mssante(c, FINESS.paris2)[0]).toBe(0);
    expect(counts(c, FINESS.paris, 'taux-dmp')[0]).toBe(0);
    expect(findings(c, 'unattributed-event').map((f) => [f.id, f.message])).toEqual([
      ['d', 'agent.who names 2 different ESSMS'],
      ['m', 'agent.who names 2 different ESSMS'],
    ]);
  });

  it('one ESSMS named twice (by reference and by FINESS identifier) is one ESSMS', () => {
    const c = records(
      withAgents(
        message('m', { patient: 'p' }),
        { reference: 'Organization/a' },
        { identifier: { system: 'https://finess.esante.gouv.fr', value: FINESS.paris } },
      ),
    );
    expect(mssante(c, FINESS.paris)).toEqual([1, 1]);
    expect(findings(c, 'unattributed-event')).toEqual([]);
  });

  it('an ESSMS and an organisation that is not one (its organisme gestionnaire): the ESSMS', () => {
    const c = records(
      withAgents(message('m'), { reference: 'Organization/og' }, { reference: 'Organization/a' }),
      withAgents(
        dmpFeed('d', { patient: 'p' }),
        { reference: 'Organization/a' },
        { reference: 'Organization/og' },
      ),
    );
    expect(mssante(c, FINESS.paris)).toEqual([1, 1]);
    expect(counts(c, FINESS.paris, 'taux-dmp')).toEqual([1, 1]);
    expect(c.subjects.find((s) => s.finess === FINESS.paris)?.indicators['taux-mssante']?.counted).toEqual({
      byAgent: 1,
      bySejour: 0,
    });
    expect(findings(c, 'unattributed-event')).toEqual([]);
  });
});
