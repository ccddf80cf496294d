import { toyCompute, toyFacts } from '../../evidence/__fixtures__/toy-rules.js';
import type { ReportInput, ReportRun } from '../report-model.js';

/** A report input with three monthly runs of the toy computation (figures change run to run). */
export function sampleReportInput(overrides: { name?: string; ok?: boolean } = {}): ReportInput {
  const dates = ['2024-02-01', '2024-03-01', '2024-04-01'];
  const runs: ReportRun[] = dates.map((measureDate, index) => {
    const { results } = toyCompute(toyFacts(index), { measureDate });
    results.organisations[0] = {
      ...(results.organisations[0] as (typeof results.organisations)[number]),
      name: 'Association Les Lilas',
    };
    results.establishments = results.establishments.map((e) => ({
      ...e,
      name: e.finess === '970400024' ? (overrides.name ?? 'EHPAD Les Filaos') : 'SSIAD du Littoral',
    }));
    return {
      seq: index * 2 + 1,
      runId: `run-${measureDate}`,
      sealedAt: `${measureDate}T01:00:00.000Z`,
      measureDate,
      softwareVersion: '0.1.0',
      entryHash: 'a'.repeat(64),
      digests: {
        projection: `sha256:${'1'.repeat(64)}`,
        results: `sha256:${'2'.repeat(64)}`,
        subjects: `sha256:${'3'.repeat(64)}`,
        submission: `sha256:${'4'.repeat(64)}`,
      },
      results,
      submission: {
        id: `sub-${index}`,
        status: index === 2 ? 'pending' : 'received',
        at: `${measureDate}T01:01:00.000Z`,
        detail: null,
      },
    };
  });
  const ok = overrides.ok ?? true;
  return {
    generatedAt: '2024-04-02T08:00:00.000Z',
    runs,
    source: '/var/lib/esms/evidence',
    verification: {
      ok,
      nothingSealed: false,
      errors: ok ? 0 : 1,
      warnings: 0,
      messages: ok
        ? []
        : [
            {
              severity: 'error',
              text: 'entry seq 3 (run x): taux-dmp numerator for 970400024 sealed 12, recomputed 11',
            },
          ],
      keyFingerprint: '1a2b 3c4d 5e6f 7a8b 9c0d 1e2f 3a4b 5c6d 7e8f 9a0b 1c2d 3e4f 5a6b 7c8d 9e0f 1a2b',
      entries: 6,
      lastSeq: 6,
      lastHash: 'f'.repeat(64),
      runsRecomputed: 3,
    },
  };
}
