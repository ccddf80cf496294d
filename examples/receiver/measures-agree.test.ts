import { INDICATORS, MEASURE_IDS, RATE_INDICATOR_IDS } from '@esms-numerique/sdk';
import { describe, expect, it } from 'vitest';
import { MEASURE_IDS as RECEIVER_MEASURE_IDS } from './receiver.mjs';

// The reference receiver keeps its own list of measures, as an ARS would: it must still accept exactly
// what the SDK's indicator registry produces.
describe('reference receiver and the SDK indicator registry', () => {
  it('accept the same measures, in the same order', () => {
    expect([...RECEIVER_MEASURE_IDS]).toEqual([...MEASURE_IDS]);
  });

  it('agree on what the receiver infers from an id: rates are the `taux-` ids, all proportions but MSSanté', () => {
    expect(MEASURE_IDS.filter((id) => id.startsWith('taux-'))).toEqual([...RATE_INDICATOR_IDS]);
    expect(RATE_INDICATOR_IDS.filter((id) => INDICATORS[id].scoring !== 'proportion')).toEqual([
      'taux-mssante',
    ]);
  });
});
