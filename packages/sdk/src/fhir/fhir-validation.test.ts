import { describe, expect, it } from 'vitest';
import { computeIndicatorsSync, MEASURES, toMeasureReports } from '../index.js';
import { readFixture } from '../test-support/fixtures.js';
import { fhirValidationIssues, hasNarrative } from '../test-support/fhir-validator.js';

/**
 * Issue 8 §5: every Measure and MeasureReport the SDK writes passes a real FHIR R4 validator (Medplum's
 * `validateResource` against the R4 definitions) with no error and no warning, and has a narrative (dom-6).
 */
describe('FHIR outputs through a real validator (Medplum, R4 definitions)', () => {
  it('every Measure: valid, with a narrative', () => {
    for (const measure of MEASURES) {
      expect({ id: measure.id, issues: fhirValidationIssues(measure) }).toEqual({
        id: measure.id,
        issues: [],
      });
      expect(hasNarrative(measure), measure.id).toBe(true);
    }
  });

  it('every MeasureReport of a computation (ESSMS and organismes gestionnaires), with and without a date: valid, with a narrative', () => {
    const records = ['tddui-with-updates', 'reunion-period-boundary', 'usage-events-without-agent'].map(
      readFixture,
    );
    const results = computeIndicatorsSync(records, { measureDate: '2024-04-01' }).results;
    expect(results.organisations.length).toBeGreaterThan(0);
    const reports = [
      ...toMeasureReports(results, { includeOrganisations: true, date: '2024-04-09T05:00:00+02:00' }),
      ...toMeasureReports(results),
    ];
    expect(reports.length).toBeGreaterThan(9);
    for (const report of reports) {
      const label = `${report.reporter?.identifier?.value} ${report.measure}`;
      expect({ label, issues: fhirValidationIssues(report) }).toEqual({ label, issues: [] });
      expect(hasNarrative(report), label).toBe(true);
    }
  });

  it('the validator is real: it refuses what FHIR refuses', () => {
    const [report] = toMeasureReports(
      computeIndicatorsSync([readFixture('reunion-period-boundary')], { measureDate: '2024-04-01' }).results,
    );
    expect(report?.resourceType).toBe('MeasureReport');
    const broken = { ...report, status: undefined, period: undefined };
    expect(fhirValidationIssues(broken).map((i) => i.expression)).toEqual(
      expect.arrayContaining(['MeasureReport.status', 'MeasureReport.period']),
    );
  });
});
