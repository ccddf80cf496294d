import { computeIndicatorsSync, type Computation } from '@esms-numerique/sdk';
import { describe, expect, it } from 'vitest';
import { sampleRecords } from '../test-support/sample-records.js';
import { ABSENT_ERROR, applyScope, NOT_CONFIGURED_WARNING, scopeFromConfig } from './establishment-scope.js';

function sample(): Computation {
  const records = sampleRecords();
  return computeIndicatorsSync(records, { measureDate: '2024-04-01' });
}

const whole = sample();

describe('applyScope (contract.md §4 "Scope")', () => {
  it('the data of the sample: 5 ESSMS, an organisation of 3 of them', () => {
    expect(whole.results.establishments.map((e) => e.finess)).toEqual([
      '130007313',
      '690007356',
      '750006827',
      '970108007',
      '970407680',
    ]);
    expect(whole.results.organisations.find((o) => o.finess === '750006256')?.establishments).toEqual([
      '130007313',
      '690007356',
      '750006827',
    ]);
  });

  it('keeps the configured ESSMS, their subject lists and their organisations summed over them only', () => {
    const scoped = applyScope(whole, ['750006827', '970407680']);
    expect(scoped.results.establishments.map((e) => e.finess)).toEqual(['750006827', '970407680']);
    expect(scoped.subjects.map((s) => s.finess)).toEqual(['750006827', '970407680']);
    expect(scoped.results.organisations.map((o) => [o.finess, o.establishments])).toEqual([
      ['750006256', ['750006827']],
      ['970407391', ['970407680']],
    ]);
    const only = scoped.results.establishments.find((e) => e.finess === '750006827');
    const organisation = scoped.results.organisations[0];
    expect(organisation?.indicators).toEqual(only?.indicators);
    expect(organisation?.dossiersActifs).toBe(only?.dossiersActifs);
    expect(organisation?.fileActive).toBe(only?.fileActive);
    // An organisation entirely in scope is the SDK's own roll-up, untouched.
    expect(scoped.results.organisations[1]).toBe(whole.results.organisations[2]);
  });

  it('names each ESSMS of the data left out once, in the warnings', () => {
    const scoped = applyScope(whole, ['750006827', '970407680', '750000010']);
    expect(scoped.notConfigured).toEqual(['130007313', '690007356', '970108007']);
    const named = scoped.results.dataQuality.warnings.filter((w) => w.code === NOT_CONFIGURED_WARNING);
    expect(named.map((w) => w.finess)).toEqual(['130007313', '690007356', '970108007']);
    expect(named[0]?.message).toMatch(/in the data but not in the config.*neither sealed nor submitted/);
    // The SDK's findings are all still there.
    expect(scoped.results.dataQuality.warnings).toHaveLength(whole.results.dataQuality.warnings.length + 3);
  });

  it('names each configured ESSMS absent from the data once, as an error (follow-up F1)', () => {
    const scoped = applyScope(whole, ['750006827', '970407680', '750000010']);
    expect(scoped.absent).toEqual(['750000010']);
    const absent = scoped.results.dataQuality.errors.filter((e) => e.code === ABSENT_ERROR);
    expect(absent.map((e) => e.finess)).toEqual(['750000010']);
    expect(absent[0]?.message).toMatch(/in the config's establishments but not in the data/);
    expect(scoped.results.dataQuality.errors).toHaveLength(whole.results.dataQuality.errors.length + 1);
    // Scoping the scoped document again (the report narrows a sealed run) names it once still.
    const twice = applyScope(scoped, ['750006827', '970407680', '750000010']);
    expect(twice.results.dataQuality.errors.filter((e) => e.code === ABSENT_ERROR)).toHaveLength(1);
    // Every configured ESSMS present: no error added.
    expect(applyScope(whole, ['750006827']).results.dataQuality.errors).toEqual(
      whole.results.dataQuality.errors,
    );
  });

  it('a roll-up over every member gives the SDK’s figures (one rule for sums, rates and targets)', () => {
    // An organisation listing an ESSMS that is not in the data is rolled up again over the others: all.
    const padded = structuredClone(whole);
    for (const o of padded.results.organisations) o.establishments.push('000000000');
    const scoped = applyScope(
      padded,
      whole.results.establishments.map((e) => e.finess),
    );
    expect(scoped.results.organisations).toEqual(whole.results.organisations);
  });

  it('no scope, or a config listing none: the whole data, unchanged', () => {
    expect(applyScope(whole, null)).toEqual({ ...whole, notConfigured: [], absent: [] });
    expect(scopeFromConfig({ establishments: [] })).toBeNull();
    expect(scopeFromConfig({ establishments: [{ finess: '970407680' }, { finess: '750006827' }] })).toEqual([
      '750006827',
      '970407680',
    ]);
  });
});
