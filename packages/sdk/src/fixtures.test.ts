import { describe, expect, it } from 'vitest';
import { computeIndicatorsSync } from './index.js';
import { findingPairs, readExpected, readFixture, scenarioNames } from './test-support/fixtures.js';

/** Every `__fixtures__/<scenario>.json` Bundle against the expected result written beside it. */
describe('scenario fixtures', () => {
  const names = scenarioNames().filter((n) => !n.startsWith('tddui-'));

  it('are present', () => {
    expect(names).toEqual([
      'duplicate-ins-unlinked',
      'reunion-period-boundary',
      'usage-events-without-agent',
    ]);
  });

  it.each(names)('%s', (name) => {
    const expected = readExpected(name);
    const computation = computeIndicatorsSync([readFixture(name)], expected.options);
    expect(computation.results).toMatchObject(expected.results);
    expect(findingPairs(computation)).toEqual(expected.dataQuality);
  });
});
