import { describe, expect, it } from 'vitest';
import { computeIndicatorsSync } from './index.js';
import { findingPairs, readExpected, readFixture, tdduiExamples } from './test-support/fixtures.js';

const key = (r: Record<string, unknown>): string => `${String(r.resourceType)}/${String(r.id)}`;

/** The ANS TDDUI examples (2.3.0-ballot), as published and with derived copies that carry meta.lastUpdated. */
describe('TDDUI examples', () => {
  const examples = tdduiExamples();

  it('are all parsed without an invalid-resource finding', () => {
    expect(examples).toHaveLength(14);
    const c = computeIndicatorsSync(examples, { measureDate: '2023-07-01' });
    expect(c.results.dataQuality.errors).toEqual([]);
  });

  it('as published', () => {
    const expected = readExpected('tddui-as-published');
    const c = computeIndicatorsSync(examples, expected.options);
    expect(c.results).toMatchObject(expected.results);
    expect(findingPairs(c)).toEqual(expected.dataQuality);
  });

  it('as published, in strict FINESS mode: the ESSMS is excluded with an error, its séjour unknown-establishment', () => {
    const c = computeIndicatorsSync(examples, { measureDate: '2023-07-01', finessMode: 'strict' });
    expect(c.results.establishments).toEqual([]);
    expect(findingPairs(c).errors).toEqual([
      ['finess-key', 'tddui-organization-example'],
      ['unknown-establishment', 'tddui-encounter-sejour-example'],
    ]);
  });

  it('with meta.lastUpdated copies: every DUI indicator is exercised', () => {
    const expected = readExpected('tddui-with-updates');
    const derived = (
      readFixture('tddui-with-updates') as { entry: { resource: Record<string, unknown> }[] }
    ).entry.map((e) => e.resource);
    const replaced = new Set(derived.map(key));
    const input = [...examples.filter((r) => !replaced.has(key(r))), ...derived];
    const c = computeIndicatorsSync(input, expected.options);
    expect(c.results).toMatchObject(expected.results);
    expect(findingPairs(c)).toEqual(expected.dataQuality);
  });

  it('the derived Bundle works as a Bundle too (entries with full URLs)', () => {
    const expected = readExpected('tddui-with-updates');
    const derived = readFixture('tddui-with-updates') as { entry: { resource: Record<string, unknown> }[] };
    const replaced = new Set(derived.entry.map((e) => key(e.resource)));
    const c = computeIndicatorsSync(
      [derived, ...examples.filter((r) => !replaced.has(key(r)))],
      expected.options,
    );
    expect(c.results).toMatchObject(expected.results);
  });

  it('names, addresses and free text never reach the results or the explanations', () => {
    const c = computeIndicatorsSync(examples, { measureDate: '2023-07-01' });
    const text = JSON.stringify(c);
    for (const secret of ['DUPONT', 'Jeanne', 'Hugo', 'Lilas', '147720425367411', '822146819', 'douche']) {
      expect(text).not.toContain(secret);
    }
  });
});
