import { toMeasureReports, type ResultsDocument } from '@esms-numerique/sdk';
import type { Bundle } from 'fhir/r4.js';
import { measureReportFullUrl } from '../submit/build-submission.js';

/**
 * `esms export --format fhir`: a collection Bundle of a sealed run's MeasureReports, each entry with the
 * `urn:uuid:` full URL it has in the submission (every entry of a collection is named), dated when the run
 * was sealed (`sealedAt`, the journal entry's time).
 */
export function measureReportBundle(results: ResultsDocument, sealedAt: string): Bundle {
  const reports = toMeasureReports(results, { date: sealedAt });
  return {
    resourceType: 'Bundle',
    type: 'collection',
    timestamp: sealedAt,
    entry: reports.map((resource, index) => ({ fullUrl: measureReportFullUrl(resource, index), resource })),
  };
}
