import { canonicalJson } from '../canonical-json.js';
import type { JournalEntry } from '../journal.js';
import { createProjectionWriter } from '../projection-writer.js';
import { evidenceSealExtensions } from '../evidence-seal.js';
import { sealRunAndSubmission } from '../seal.js';
import type { EvidenceStore } from '../store.js';
import { toyCompute, toyFacts, toyMeasureReports } from './toy-rules.js';

/**
 * Seals one toy run the way the runner does: stream the projection, compute, seal the run, then the bytes
 * (which carry the run's evidence seal). Returns the `run-sealed` entry (the next one seals the bytes).
 */
export async function sealToyRun(
  store: EvidenceStore,
  options: { runId: string; measureDate?: string; variant?: number; submissionId?: string },
): Promise<JournalEntry> {
  const measureDate = options.measureDate ?? '2024-04-01';
  const computeOptions = { measureDate, denominatorScope: 'period' };
  const facts = toyFacts(options.variant ?? 0);
  const writer = createProjectionWriter(store);
  for (const fact of facts) writer.write(fact);
  const projection = await writer.finish();
  const { results, subjects } = toyCompute(facts, computeOptions);
  const submissionBody = (seal: { hash: string; previous: string }): string =>
    canonicalJson({
      resourceType: 'Bundle',
      meta: { extension: evidenceSealExtensions(seal) },
      type: 'transaction',
      entry: toyMeasureReports(results).map((resource) => ({
        resource: { ...(resource as Record<string, unknown>), extension: evidenceSealExtensions(seal) },
        request: { method: 'POST', url: 'MeasureReport' },
      })),
    });
  const sealed = await sealRunAndSubmission(
    store,
    {
      runId: options.runId,
      submissionId: options.submissionId ?? `sub-${options.runId}`,
      softwareVersion: '0.1.0',
      configDigest: 'sha256:' + 'c'.repeat(64),
      measuresDigest: null,
      computeOptions,
      measureDate,
      periods: Object.fromEntries(results.establishments.map((e) => [e.finess, e.period])),
      scope: null,
      projection,
      results,
      subjects,
    },
    (seal) => ({ body: submissionBody(seal) }),
  );
  return sealed.runEntry;
}
