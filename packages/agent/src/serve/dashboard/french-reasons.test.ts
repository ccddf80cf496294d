import { INDICATORS, RATE_INDICATOR_IDS } from '@esms-numerique/sdk';
import { describe, expect, it } from 'vitest';
import { WORKLIST_GOAL, WORKLIST_INDICATORS } from './french-reasons.js';

// The dashboard keeps its French wording here; which indicators have a worklist is the SDK registry's.
describe('the dashboard’s French labels and the SDK indicator registry', () => {
  it('has a worklist for exactly the rates whose numerator counts persons (proportions), in registry order', () => {
    expect([...WORKLIST_INDICATORS]).toEqual(
      RATE_INDICATOR_IDS.filter((id) => INDICATORS[id].scoring === 'proportion'),
    );
    expect(Object.keys(WORKLIST_GOAL)).toEqual([...WORKLIST_INDICATORS]);
  });
});
