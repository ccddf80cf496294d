import { computeIndicatorsSync, IDENTIFIER_SYSTEMS, TDDUI_PROFILES } from '@esms-numerique/sdk';
import { describe, expect, it } from 'vitest';
import { CSV_COLUMNS, figuresToCsv } from './figures-csv.js';

function sampleResults() {
  return computeIndicatorsSync(
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
  ).results;
}

const NAME = '"EHPAD ""Les Filaos"", Saint-Denis"';

describe('figuresToCsv', () => {
  it('writes one row per ESSMS and figure with exact numerators, denominators and counts', () => {
    const results = sampleResults();
    const lines = figuresToCsv(results).split('\r\n');
    expect(lines[0]).toBe(CSV_COLUMNS.join(','));
    expect(lines).toContain(
      `2024-04-01,2024-01-01,2024-03-31,970400024,,taux-dossiers-actifs,1,1,100,90,true,,${NAME}`,
    );
    expect(lines).toContain(
      `2024-04-01,2024-01-01,2024-03-31,970400024,,taux-projet-personnalise,0,1,0,90,false,,${NAME}`,
    );
    expect(lines).toContain(
      `2024-04-01,2024-01-01,2024-03-31,970400024,,e-prescriptions-importees:2024-03,,,,,,0,${NAME}`,
    );
    expect(lines).toContain(`2024-04-01,2024-01-01,2024-03-31,970400024,,file-active,,,,,,1,${NAME}`);
    // Aggregates only: no person identifier appears.
    expect(figuresToCsv(results)).not.toMatch(/Patient/);
  });

  it('excel-fr: a UTF-8 BOM, semicolons, decimal commas, the ESSMS name as a column', () => {
    const results = sampleResults();
    const establishment = results.establishments[0];
    if (establishment === undefined) throw new Error('no ESSMS');
    establishment.indicators['taux-dmp'] = {
      numerator: 2,
      denominator: 3,
      rate: 66.7,
      target: 70,
      met: false,
    };
    establishment.name = 'Foyer d’accueil « Les Filaos » ; Saint-Denis';
    const text = figuresToCsv(results, 'excel-fr');
    expect(text.startsWith('\uFEFFmeasure_date;period_start;')).toBe(true);
    const lines = text.slice(1).split('\r\n');
    expect(lines[0]).toBe(CSV_COLUMNS.join(';'));
    // A name holding the separator is quoted; the decimal is a comma; integers stay as they are.
    expect(lines).toContain(
      '2024-04-01;2024-01-01;2024-03-31;970400024;;taux-dmp;2;3;66,7;70;false;;"Foyer d’accueil « Les Filaos » ; Saint-Denis"',
    );
    expect(lines).toContain(
      '2024-04-01;2024-01-01;2024-03-31;970400024;;taux-dossiers-actifs;1;1;100;90;true;;"Foyer d’accueil « Les Filaos » ; Saint-Denis"',
    );
    // The default stays RFC 4180 with a decimal point.
    expect(figuresToCsv(results)).toContain(',taux-dmp,2,3,66.7,70,false,,');
  });
});
