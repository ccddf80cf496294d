import type { MeasureReport } from 'fhir/r4.js';
import { describe, expect, it } from 'vitest';
import { isAgentError } from '../errors.js';
import { countReport, rateReport, sampleReports } from './__fixtures__/measure-reports.js';
import {
  buildSubmission,
  SUBMISSION_IDENTIFIER_SYSTEM,
  submissionIdentifierValue,
} from './build-submission.js';

const results = { measureDate: '2024-04-01' };

describe('buildSubmission', () => {
  it('wraps each report in a conditional POST entry of a transaction Bundle', () => {
    const submission = buildSubmission(results, sampleReports());
    expect(submission.createdFrom).toEqual({ measureDate: '2024-04-01' });
    expect(submission.bundle.resourceType).toBe('Bundle');
    expect(submission.bundle.type).toBe('transaction');
    const entries = submission.bundle.entry ?? [];
    expect(entries).toHaveLength(4);
    for (const entry of entries) {
      const identifier = (entry.resource as MeasureReport | undefined)?.identifier;
      expect(identifier).toHaveLength(1);
      const value = identifier?.[0]?.value ?? '';
      expect(identifier?.[0]?.system).toBe(SUBMISSION_IDENTIFIER_SYSTEM);
      expect(entry.request).toEqual({
        method: 'POST',
        url: 'MeasureReport',
        ifNoneExist: `identifier=${SUBMISSION_IDENTIFIER_SYSTEM}|${value}`,
      });
      expect(entry.fullUrl).toMatch(
        /^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
      );
    }
    expect(new Set(entries.map((e) => e.fullUrl)).size).toBe(4);
    expect(JSON.parse(submission.body)).toEqual(submission.bundle);
    expect(submission.id).toMatch(/^[0-9a-f]{64}$/);
  });

  it('derives the identifier from FINESS, indicator, period and a digest of the figures', () => {
    const value = submissionIdentifierValue(rateReport());
    expect(value).toMatch(/^970400024:taux-dossiers-actifs:2024-01-01:2024-03-31:[0-9a-f]{64}$/);
    expect(submissionIdentifierValue(rateReport({ numerator: 80 }))).not.toBe(value);
    // Stamping the report (date, display name) is not a new submission.
    const stamped = { ...rateReport(), date: '2024-04-01T08:00:00+04:00' };
    stamped.reporter = { ...stamped.reporter, display: 'Renamed' };
    expect(submissionIdentifierValue(stamped)).toBe(value);
  });

  it('gives the same id for the same figures in any order, a different id for different figures', () => {
    const reports = sampleReports();
    const a = buildSubmission(results, reports);
    const b = buildSubmission(results, [...sampleReports()].reverse());
    expect(b.id).toBe(a.id);
    expect(buildSubmission(results, sampleReports()).body).toBe(a.body);
    const changed = [...sampleReports().slice(0, 3), countReport({ finess: '750000010', count: 13 })];
    expect(buildSubmission(results, changed).id).not.toBe(a.id);
    // The input reports are not modified.
    expect(reports[0]?.identifier).toBeUndefined();
  });

  it('refuses person-level data, duplicates and an empty run', () => {
    const withSubject = { ...rateReport(), subject: { reference: 'Patient/1' } };
    expect(() => buildSubmission(results, [withSubject])).toThrow(/person-level/);
    expect(() => buildSubmission(results, [rateReport(), rateReport()])).toThrow(/duplicate/);
    try {
      buildSubmission(results, []);
      expect.unreachable();
    } catch (error) {
      expect(isAgentError(error) && error.code).toBe('nothing-computed');
    }
  });
});
