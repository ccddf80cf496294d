import { computeIndicatorsSync, IDENTIFIER_SYSTEMS, TDDUI_PROFILES } from '@esms-numerique/sdk';
import { describe, expect, it } from 'vitest';
import { CSV_COLUMNS, figuresToCsv } from './figures-csv.js';

describe('figuresToCsv', () => {
  it('writes one row per ESSMS and figure with exact numerators, denominators and counts', () => {
    const { results } = computeIndicatorsSync(
      [
        {
          resourceType: 'Organization',
          id: 'o',
          name: 'EHPAD "Les Filaos", Saint-Denis',
          identifier: [
            { system: IDENTIFIER_SYSTEMS.finess, value: '970400024', type: { coding: [{ code: 'FINEG' }] } },
          ],
        },
        { resourceType: 'Patient', id: 'p', meta: { lastUpdated: '2024-02-01T10:00:00+04:00' } },
        {
          resourceType: 'Encounter',
          id: 's',
          meta: { profile: [TDDUI_PROFILES.sejour] },
          status: 'in-progress',
          subject: { reference: 'Patient/p' },
          serviceProvider: { reference: 'Organization/o' },
          period: { start: '2023-01-01' },
        },
      ],
      { measureDate: '2024-04-01' },
    );
    const lines = figuresToCsv(results).split('\r\n');
    expect(lines[0]).toBe(CSV_COLUMNS.join(','));
    expect(lines).toContain(
      '2024-04-01,2024-01-01,2024-03-31,970400024,,taux-dossiers-actifs,1,1,100,90,true,',
    );
    expect(lines).toContain(
      '2024-04-01,2024-01-01,2024-03-31,970400024,,taux-projet-personnalise,0,1,0,90,false,',
    );
    expect(lines).toContain(
      '2024-04-01,2024-01-01,2024-03-31,970400024,,e-prescriptions-importees:2024-03,,,,,,0',
    );
    expect(lines).toContain('2024-04-01,2024-01-01,2024-03-31,970400024,,file-active,,,,,,1');
    // Aggregates only: the establishment's name is not even needed, and no person identifier appears.
    expect(figuresToCsv(results)).not.toMatch(/Patient|Filaos/);
  });
});
