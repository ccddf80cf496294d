import { describe, expect, it } from 'vitest';
import { isAgentError } from '../errors.js';
import { PARIS_ESSMS, PARIS_OG, REUNION_OG, sampleReportInput } from './__fixtures__/report-input.js';
import { selectReport } from './select-report.js';
import type { ReportSelection } from './select-report.js';

function usageMessage(selection: ReportSelection, input = sampleReportInput()): string {
  try {
    selectReport(input, selection);
  } catch (error) {
    if (isAgentError(error) && error.code === 'usage') return error.message;
    throw error;
  }
  throw new Error('expected a usage error');
}

describe('selectReport', () => {
  it('takes the last sealed run by default, every ESSMS, and the trend up to it', () => {
    const selected = selectReport(sampleReportInput(), {});
    expect(selected.run.measureDate).toBe('2024-04-01');
    expect(selected.results.establishments.map((e) => e.finess)).toEqual([
      '970400024',
      '970400032',
      PARIS_ESSMS,
    ]);
    expect(selected.trend.map((t) => t.measureDate)).toEqual(['2024-02-01', '2024-03-01', '2024-04-01']);
  });

  it('takes the run of --measure-date, even when later runs were sealed, and no later point in the trend', () => {
    const selected = selectReport(sampleReportInput(), { measureDate: '2024-03-01' });
    expect(selected.run.measureDate).toBe('2024-03-01');
    expect(selected.trend.map((t) => t.measureDate)).toEqual(['2024-02-01', '2024-03-01']);
  });

  it('a D with no sealed run is bad usage naming the sealed dates', () => {
    expect(usageMessage({ measureDate: '2024-05-01' })).toBe(
      'no run is sealed for the measurement date 2024-05-01; sealed measurement dates: 2024-02-01, 2024-03-01, 2024-04-01',
    );
  });

  it('--organisation keeps that organisme gestionnaire’s ESSMS only, in the run and in the trend', () => {
    const selected = selectReport(sampleReportInput(), { organisation: REUNION_OG });
    expect(selected.results.establishments.map((e) => e.finess)).toEqual(['970400024', '970400032']);
    expect(selected.results.organisations.map((o) => o.finess)).toEqual([REUNION_OG]);
    for (const point of selected.trend) {
      expect(point.results.establishments.map((e) => e.finess)).toEqual(['970400024', '970400032']);
    }
    expect(usageMessage({ organisation: '130000001' })).toBe(
      `no organisme gestionnaire 130000001 in the run sealed for 2024-04-01; its organismes gestionnaires (FINESS juridique): ${REUNION_OG} (Association Les Lilas), ${PARIS_OG} (Fondation de l'Yvette)`,
    );
  });

  it('--finess keeps those ESSMS and rolls their organisation up over them only', () => {
    const input = sampleReportInput();
    const selected = selectReport(input, { finess: ['970400032'] });
    expect(selected.results.establishments.map((e) => e.finess)).toEqual(['970400032']);
    const organisation = selected.results.organisations[0];
    const essms = selected.results.establishments[0];
    expect(organisation?.establishments).toEqual(['970400032']);
    expect(organisation?.indicators['taux-dmp']).toEqual(essms?.indicators['taux-dmp']);
    expect(usageMessage({ finess: ['970400032', '970499999'] })).toMatch(
      /^unknown ESSMS 970499999 in the run sealed for 2024-04-01; its ESSMS \(FINESS géographique\): 970400024 \(EHPAD Les Filaos\), 970400032 \(SSIAD du Littoral\), 750000010/,
    );
    expect(usageMessage({ finess: ['970400032'], organisation: REUNION_OG })).toBe(
      'give --organisation or --finess, not both',
    );
  });

  it('by default, the config’s ESSMS only; those configured without figures are named', () => {
    const input = sampleReportInput({ configuredScope: ['970400024', '970499990'] });
    const selected = selectReport(input, {});
    expect(selected.results.establishments.map((e) => e.finess)).toEqual(['970400024']);
    expect(selected.missingConfigured).toEqual(['970499990']);
    // An ESSMS outside the config cannot be asked for.
    expect(usageMessage({ finess: [PARIS_ESSMS] }, input)).toMatch(/within the config’s establishments/);
  });
});
