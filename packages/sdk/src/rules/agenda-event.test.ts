import { describe, expect, it } from 'vitest';
import { appointment, evenement, FINESS, sejour, type EvenementInput } from '../test-support/builders.js';
import { accompaniedPerson, compute, counts, essms, findings } from '../test-support/compute.js';

function withEvents(events: Record<string, unknown>[], options: { countCancelledEvents?: boolean } = {}) {
  return compute([essms(), ...accompaniedPerson('p', 'essms', { sejourId: 'stay' }), ...events], options);
}
const ev = (input: Partial<EvenementInput>) =>
  evenement({ id: 'ev', patient: 'p', start: '2024-02-01T10:00:00+01:00', ...input });
const agenda = (c: ReturnType<typeof compute>) => counts(c, FINESS.paris, 'taux-evenement-agenda');

describe('agenda event: an event of the person starting in P', () => {
  it('recognised by the TDDUI profile, the event identifier system, or a partOf that is a séjour', () => {
    expect(agenda(withEvents([ev({ via: 'profile' })]))).toEqual([1, 1]);
    expect(agenda(withEvents([ev({ via: 'identifier' })]))).toEqual([1, 1]);
    expect(agenda(withEvents([ev({ via: 'partOf', partOf: 'stay' })]))).toEqual([1, 1]);
  });

  it('a partOf that is not a séjour does not make an event', () => {
    const notASejour = evenement({ id: 'parent', patient: 'p', start: '2023-01-01', via: 'profile' });
    expect(agenda(withEvents([notASejour, ev({ via: 'partOf', partOf: 'parent' })]))).toEqual([0, 1]);
    expect(agenda(withEvents([ev({ via: 'partOf', partOf: 'not-in-input' })]))).toEqual([0, 1]);
  });

  it('no event: reason `no-event-in-period`', () => {
    const c = withEvents([]);
    expect(agenda(c)).toEqual([0, 1]);
    expect(c.subjects[0]?.indicators['taux-evenement-agenda']?.outOfNumerator).toEqual([
      { person: 'Patient/p', reason: 'no-event-in-period' },
    ]);
  });

  it('the start must be in P (Paris: [2023-12-31T23:00Z, 2024-03-31T22:00Z))', () => {
    expect(agenda(withEvents([ev({ start: '2023-12-31T23:00:00Z' })]))[0]).toBe(1);
    expect(agenda(withEvents([ev({ start: '2023-12-31T22:59:59Z' })]))[0]).toBe(0);
    expect(agenda(withEvents([ev({ start: '2024-03-31T22:00:00Z' })]))[0]).toBe(0);
    expect(agenda(withEvents([ev({ start: '2024-06-01T10:00:00+02:00' })]))[0]).toBe(0);
  });

  it.each(['planned', 'triaged', 'finished', 'in-progress', 'arrived'])('status %s counts', (status) => {
    expect(agenda(withEvents([ev({ status })]))[0]).toBe(1);
  });

  it('entered-in-error never counts, whatever the options', () => {
    expect(agenda(withEvents([ev({ status: 'entered-in-error' })]))[0]).toBe(0);
    expect(agenda(withEvents([ev({ status: 'entered-in-error' })], { countCancelledEvents: true }))[0]).toBe(
      0,
    );
    expect(agenda(withEvents([ev({ status: 'entered-in-error', via: 'partOf', partOf: 'stay' })]))[0]).toBe(
      0,
    );
  });

  it('cancelled counts by default (it was an entry in the agenda), and not with countCancelledEvents: false', () => {
    for (const via of ['profile', 'identifier', 'partOf'] as const) {
      const cancelled = ev({ status: 'cancelled', via, partOf: 'stay' });
      expect({ via, n: agenda(withEvents([cancelled]))[0] }).toEqual({ via, n: 1 });
      expect({ via, n: agenda(withEvents([cancelled], { countCancelledEvents: false }))[0] }).toEqual({
        via,
        n: 0,
      });
    }
  });

  it('an Appointment with the person as participant counts; cancelled ones follow the option', () => {
    expect(
      agenda(withEvents([appointment({ id: 'a', patient: 'p', start: '2024-03-01T09:00:00+01:00' })]))[0],
    ).toBe(1);
    const cancelled = appointment({
      id: 'a',
      patient: 'p',
      start: '2024-03-01T09:00:00+01:00',
      status: 'cancelled',
    });
    expect(agenda(withEvents([cancelled]))[0]).toBe(1);
    expect(agenda(withEvents([cancelled], { countCancelledEvents: false }))[0]).toBe(0);
    expect(
      agenda(
        withEvents([appointment({ id: 'a', patient: 'p', start: '2024-03-01', status: 'entered-in-error' })]),
      )[0],
    ).toBe(0);
  });

  it('the denominator is the active dossiers', () => {
    const c = compute([essms(), ...accompaniedPerson('p', 'essms', { updated: false }), ev({})]);
    expect(agenda(c)).toEqual([0, 0]);
  });

  it('an event is about the person: accompanied by two ESSMS, one event counts in both', () => {
    const c = compute([
      essms('a', FINESS.paris),
      essms('b', FINESS.paris2),
      ...accompaniedPerson('p', 'a'),
      ...accompaniedPerson('p', 'b').slice(1),
      ev({}),
    ]);
    expect(agenda(c)).toEqual([1, 1]);
    expect(counts(c, FINESS.paris2, 'taux-evenement-agenda')).toEqual([1, 1]);
  });

  it('an event of a person who is not in the input is `unknown-subject`', () => {
    const c = withEvents([evenement({ id: 'ghost-ev', patient: 'ghost', start: '2024-02-01' })]);
    expect(findings(c, 'unknown-subject')).toEqual([
      expect.objectContaining({ resourceType: 'Encounter', id: 'ghost-ev' }),
    ]);
  });

  it('an event without a subject nor partOf is `unknown-subject`', () => {
    const e = ev({});
    delete e.subject;
    expect(findings(withEvents([e]), 'unknown-subject')).toEqual([expect.objectContaining({ id: 'ev' })]);
  });

  describe('an event without a subject of its own is its partOf séjour’s person’s (data-model.md, issue 9 §4)', () => {
    const subjectless = (input: Partial<EvenementInput>) => {
      const e = ev(input);
      delete e.subject;
      return e;
    };

    it.each(['partOf', 'profile', 'identifier'] as const)(
      'recognised by %s, with partOf the séjour',
      (via) => {
        const c = withEvents([subjectless({ via, partOf: 'stay' })]);
        expect(agenda(c)).toEqual([1, 1]);
        expect(findings(c, 'unknown-subject')).toEqual([]);
      },
    );

    it('whatever the input order (the séjour read after the event)', () => {
      const records = [
        subjectless({ via: 'partOf', partOf: 'stay' }),
        essms(),
        ...accompaniedPerson('p', 'essms', { sejourId: 'stay' }),
      ];
      expect(agenda(compute(records))).toEqual([1, 1]);
      expect(agenda(compute([...records].reverse()))).toEqual([1, 1]);
    });

    it('its start and status still decide', () => {
      expect(agenda(withEvents([subjectless({ partOf: 'stay', start: '2023-06-01' })]))).toEqual([0, 1]);
      expect(agenda(withEvents([subjectless({ partOf: 'stay', status: 'entered-in-error' })]))).toEqual([
        0, 1,
      ]);
    });

    it('a partOf that is not a séjour, or a séjour without a person, leaves it `unknown-subject`', () => {
      const c = withEvents([subjectless({ id: 'orphan', via: 'profile', partOf: 'not-in-input' })]);
      expect(agenda(c)).toEqual([0, 1]);
      expect(findings(c, 'unknown-subject')).toEqual([
        expect.objectContaining({ resourceType: 'Encounter', id: 'orphan' }),
      ]);
    });

    it('an Encounter that would be a séjour but is part of one, without a subject, is that séjour’s person’s event', () => {
      // A TDDUI séjour profile, but part of a séjour: an event (resolve/sejours.ts).
      const demoted: Record<string, unknown> = {
        ...sejour({ id: 'visit', patient: 'p', org: 'essms', start: '2024-02-01T10:00:00+01:00' }),
        partOf: { reference: 'Encounter/stay' },
      };
      delete demoted.subject;
      const c = withEvents([demoted]);
      expect(agenda(c)).toEqual([1, 1]);
      expect(findings(c, 'unknown-subject')).toEqual([]);
    });
  });
});
