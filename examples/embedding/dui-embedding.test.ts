import { describe, expect, it } from 'vitest';
import { computeForDui, sampleDatabase } from './dui-embedding.js';

describe('embedding example for a DUI editor', () => {
  it('maps the DUI rows and computes exact figures for the sample ESSMS', async () => {
    const { results } = await computeForDui(sampleDatabase(), '2024-04-01');
    expect(results.establishments).toHaveLength(1);
    const e = results.establishments[0]!;
    expect(e.timezone).toBe('Indian/Reunion');
    // Usagers 1, 2 and 3 are accompanied in P (3 left on 2024-01-31); 3 was not updated in P.
    expect(e.indicators['taux-dossiers-actifs']).toMatchObject({ numerator: 2, denominator: 3 });
    // Usager 1 has an ENCOURS projet; usager 2's is ENPAUSE (on hold: does not count).
    expect(e.indicators['taux-projet-personnalise']).toMatchObject({ numerator: 1, denominator: 2 });
    // Both active dossiers have an agenda event (a cancelled one still counts by default).
    expect(e.indicators['taux-evenement-agenda']).toMatchObject({ numerator: 2, denominator: 2 });
    // Two MSSanté messages sent; one DMP person (the failed feed does not count).
    expect(e.indicators['taux-mssante']).toMatchObject({ numerator: 2, denominator: 3 });
    expect(e.indicators['taux-dmp']).toMatchObject({ numerator: 1, denominator: 3 });
    expect(results.dataQuality.errors).toEqual([]);
  });
});
