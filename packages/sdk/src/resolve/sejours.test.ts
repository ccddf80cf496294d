import { describe, expect, it } from 'vitest';
import type { OrganisationFact, SejourFact } from '../facts.js';
import { sejourCandidate, type SejourCandidate } from '../rules/accompanied.js';
import { indexOrganisations } from './establishments.js';
import { classifySejours, sejourProviders } from './sejours.js';

function candidate(
  key: string,
  partOf: string | null = null,
  extra: Partial<SejourFact> = {},
): SejourCandidate {
  return sejourCandidate(
    {
      k: 'sejour',
      key,
      aliases: [],
      resourceType: 'Encounter',
      subject: 'Patient/p',
      provider: 'Organization/essms',
      status: 'in-progress',
      start: '2024-01-01',
      end: null,
      partOf,
      ...extra,
    },
    0,
  );
}

const byKey = (candidates: readonly SejourCandidate[], key: string): SejourCandidate =>
  candidates.find((s) => s.fact.key === key)!;

describe('séjours (data-model.md): an Encounter part of a séjour is an event, never a second séjour', () => {
  it('a candidate is a séjour unless its partOf is a séjour, down a chain', () => {
    // c is part of b, b part of a: a is a séjour, so b is not (an event), so c is one again.
    const sejours = classifySejours([
      candidate('Encounter/c', 'Encounter/b'),
      candidate('Encounter/a'),
      candidate('Encounter/b', 'Encounter/a'),
    ]);
    expect(sejours.candidates.map((s) => s.fact.key)).toEqual(['Encounter/a', 'Encounter/b', 'Encounter/c']);
    expect(sejours.candidates.map((s) => sejours.isSejour(s))).toEqual([true, false, true]);
  });

  it('a partOf outside the input, or naming itself, leaves the candidate a séjour', () => {
    const sejours = classifySejours([
      candidate('Encounter/alone', 'Encounter/missing'),
      candidate('Encounter/self', 'Encounter/self'),
    ]);
    for (const s of sejours.candidates) expect(sejours.isSejour(s)).toBe(true);
  });

  it('resolves an alias shared by two records to the first in key order, whatever the input order', () => {
    const shared = { aliases: ['urn:uuid:shared'] };
    for (const order of [
      ['Encounter/y', 'Encounter/x'],
      ['Encounter/x', 'Encounter/y'],
    ]) {
      const sejours = classifySejours(order.map((key) => candidate(key, null, shared)));
      expect(sejours.byAlias.get('urn:uuid:shared')?.fact.key).toBe('Encounter/x');
      expect(sejours.byAlias.get('Encounter/y')?.fact.key).toBe('Encounter/y');
    }
  });

  it('cuts a partOf cycle instead of recursing forever', () => {
    const sejours = classifySejours([
      candidate('Encounter/a', 'Encounter/b'),
      candidate('Encounter/b', 'Encounter/a'),
    ]);
    const a = byKey(sejours.candidates, 'Encounter/a');
    const b = byKey(sejours.candidates, 'Encounter/b');
    expect(typeof sejours.isSejour(a)).toBe('boolean');
    // Whatever the cut decides, the two ends of one partOf are never both séjours.
    expect(sejours.isSejour(a) && sejours.isSejour(b)).toBe(false);
  });

  it('the providers of séjours are the Organizations that provide a real séjour', () => {
    const org = (key: string): OrganisationFact => ({
      k: 'organisation',
      key,
      aliases: [],
      fineg: null,
      finess: null,
      finej: null,
      name: null,
      partOf: null,
    });
    const organisations = indexOrganisations([org('Organization/essms'), org('Organization/other')]);
    const sejours = classifySejours([
      candidate('Encounter/a'),
      candidate('Encounter/event', 'Encounter/a', { provider: 'Organization/other' }),
      candidate('Encounter/unknown', null, { provider: 'Organization/nowhere' }),
    ]);
    const providers = [...sejourProviders(sejours, organisations)].map((o) => o.fact.key);
    expect(providers).toEqual(['Organization/essms']);
  });
});
