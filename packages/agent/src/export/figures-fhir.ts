import { toMeasureReports, type ResultsDocument } from '@esms-numerique/sdk';
import type { Bundle } from 'fhir/r4.js';
import { withEvidenceSeal } from '../evidence/evidence-seal.js';
import { measureReportFullUrl } from '../submit/build-submission.js';

/**
 * `esms export --format fhir`: a collection Bundle of a sealed run's MeasureReports, each entry with the
 * `urn:uuid:` full URL it has in the submission (every entry of a collection is named), dated when the run
 * was sealed (`sealedAt`, the journal entry's time), and each carrying the run's evidence seal
 * (contract.md §5) when it has one.
 */
export function measureReportBundle(
  results: ResultsDocument,
  sealedAt: string,
  seal: { hash: string; previous: string } | null,
): Bundle {
  const reports = toMeasureReports(results, { date: sealedAt });
  return {
    resourceType: 'Bundle',
    ...(seal === null ? {} : { meta: withEvidenceSeal({}, seal) }),
    type: 'collection',
    timestamp: sealedAt,
    entry: reports.map((report, index) => ({
      fullUrl: measureReportFullUrl(report, index),
      resource: seal === null ? report : withEvidenceSeal(report, seal),
    })),
  };
}
