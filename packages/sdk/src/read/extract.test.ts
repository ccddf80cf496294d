import { describe, expect, it } from 'vitest';
import { createEngine } from '../index.js';
import { FINESS, sejour } from '../test-support/builders.js';
import { accompaniedPerson, counts, D, essms, findings } from '../test-support/compute.js';

/** Nothing skipped in silence, every finding locatable (indicators.md "Data quality", issue 9 §3). */
describe('Bundle entries that hold no record are reported, with the Bundle and the entry index', () => {
  const bundle = (entry: unknown[]) => ({ resourceType: 'Bundle', id: 'b1', type: 'collection', entry });

  it.each([
    ['null', null, 'entry 1 is null, not an object'],
    ['a number', 1, 'entry 1 is a number, not an object'],
    ['a string', 'x', 'entry 1 is a string, not an object'],
    ['an array', [], 'entry 1 is an array, not an object'],
    ['an empty object', {}, 'entry 1 has no resource'],
    ['a fullUrl without a resource', { fullUrl: 'urn:uuid:1' }, 'entry 1 has no resource'],
    [
      'a request without a resource',
      { request: { method: 'DELETE', url: 'Patient/x' } },
      'entry 1 is a request without a resource: no record to read',
    ],
  ])('%s', (_name, entry, message) => {
    const engine = createEngine({ measureDate: D });
    engine.add(
      bundle([{ resource: essms() }, entry, ...accompaniedPerson('p').map((resource) => ({ resource }))]),
      {
        input: 'export/bundle.json',
      },
    );
    const c = engine.finish();
    expect(counts(c, FINESS.paris, 'taux-dossiers-actifs')).toEqual([1, 1]);
    expect(findings(c, 'invalid-resource')).toEqual([
      {
        code: 'invalid-resource',
        resourceType: 'Bundle',
        id: 'b1',
        message,
        location: { input: 'export/bundle.json', entry: 1 },
      },
    ]);
  });

  it('a resource {} inside an entry: "resourceType is missing", located by entry, the Bundle related', () => {
    const engine = createEngine({ measureDate: D });
    engine.add(bundle([{ resource: {} }]), { input: 'Bundle.ndjson', line: 3 });
    expect(findings(engine.finish(), 'invalid-resource')).toEqual([
      {
        code: 'invalid-resource',
        resourceType: 'unknown',
        message: 'resourceType is missing',
        location: { input: 'Bundle.ndjson', line: 3, entry: 0 },
        related: ['Bundle/b1'],
      },
    ]);
  });
});

describe('records without an id of their own say where they were read', () => {
  it.each([
    ['1', 1, 'not a JSON object (a number)'],
    ['"x"', 'x', 'not a JSON object (a string)'],
    ['null', null, 'not a JSON object (null)'],
    ['{}', {}, 'resourceType is missing'],
  ])('%s on an NDJSON line: the file and the line', (_name, value, message) => {
    const engine = createEngine({ measureDate: D });
    engine.add(value, { input: 'Patient.000.ndjson', line: 17 });
    expect(findings(engine.finish(), 'invalid-resource')).toEqual([
      {
        code: 'invalid-resource',
        resourceType: 'unknown',
        message,
        location: { input: 'Patient.000.ndjson', line: 17 },
      },
    ]);
  });

  it('read by a thread sharing the file: the byte offset of the line', () => {
    const engine = createEngine({ measureDate: D });
    engine.add({ id: 'x' }, { input: 'Encounter.000.ndjson', byteOffset: 16_777_301, order: 12 });
    expect(findings(engine.finish(), 'invalid-resource')).toEqual([
      {
        code: 'invalid-resource',
        resourceType: 'unknown',
        id: 'x',
        message: 'resourceType is missing',
        location: { input: 'Encounter.000.ndjson', byteOffset: 16_777_301 },
      },
    ]);
  });

  it('an invalid record with an id is named by it, and located too', () => {
    const engine = createEngine({ measureDate: D });
    engine.add(sejour({ id: 's', patient: 'p', org: 'essms', start: '2024-13-01' }), {
      input: 'Encounter.ndjson',
      line: 2,
    });
    expect(findings(engine.finish(), 'invalid-resource')).toEqual([
      expect.objectContaining({
        resourceType: 'Encounter',
        id: 's',
        location: { input: 'Encounter.ndjson', line: 2 },
      }),
    ]);
  });
});
