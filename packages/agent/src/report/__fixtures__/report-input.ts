import { toyCompute, toyFacts } from '../../evidence/__fixtures__/toy-rules.js';
import type { EstablishmentResultLike } from '../../evidence/recompute.js';
import type { ReportFinding, ReportInput, ReportRun, TransmissionState } from '../report-model.js';

/** A name longer than 28 characters, with a straight apostrophe as DUIs type it. */
export const LONG_NAME = "Foyer d'accueil médicalisé Les Tilleuls de la Vallée de Chevreuse";
export const REUNION_OG = '970408589';
export const PARIS_OG = '750000001';
export const PARIS_ESSMS = '750000010';

export interface SampleOptions {
  name?: string;
  ok?: boolean;
  nothingSealed?: boolean;
  transmission?: TransmissionState;
  findings?: ReportFinding[];
  configuredScope?: readonly string[] | null;
}

/**
 * A report input with three monthly runs of the toy computation (figures change run to run): two ESSMS
 * of a Réunion organisation (one not VA-ready: no agenda event) and one Paris ESSMS of another.
 */
export function sampleReportInput(overrides: SampleOptions = {}): ReportInput {
  const dates = ['2024-02-01', '2024-03-01', '2024-04-01'];
  const runs: ReportRun[] = dates.map((measureDate, index) => {
    const { results } = toyCompute(toyFacts(index), { measureDate });
    const reunion = results.organisations[0];
    if (reunion === undefined) throw new Error('toy rules changed');
    results.establishments = results.establishments.map((e) => ({
      ...e,
      organisation: REUNION_OG,
      name: e.finess === '970400024' ? (overrides.name ?? 'EHPAD Les Filaos') : 'SSIAD du Littoral',
    }));
    const template = results.establishments[0] as EstablishmentResultLike;
    const paris: EstablishmentResultLike = {
      ...template,
      finess: PARIS_ESSMS,
      organisation: PARIS_OG,
      name: LONG_NAME,
      timezone: 'Europe/Paris',
    };
    results.establishments.push(paris);
    results.organisations = [
      {
        ...reunion,
        finess: REUNION_OG,
        name: 'Association Les Lilas',
      },
      {
        ...reunion,
        finess: PARIS_OG,
        name: "Fondation de l'Yvette",
        establishments: [PARIS_ESSMS],
        indicators: paris.indicators,
        dossiersActifs: paris.dossiersActifs,
        fileActive: paris.fileActive,
      },
    ];
    results.dataQuality = {
      errors: [],
      warnings: [{ code: 'history-missing', count: 279, message: 'records updated after the period' }],
    };
    return {
      seq: index * 2 + 1,
      runId: `20240${index + 2}01T050000Z-run${index}`,
      sealedAt: `${measureDate}T05:05:00.000Z`,
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
      submissionId: `${String(index).repeat(64)}`,
      transmission:
        index === 2 && overrides.transmission !== undefined
          ? overrides.transmission
          : { kind: 'received', at: `${measureDate}T05:06:00.000Z` },
    };
  });
  const ok = overrides.ok ?? true;
  const findings: ReportFinding[] =
    overrides.findings ?? (ok ? [] : [{ seq: 5, check: 'recompute', severity: 'error' }]);
  return {
    generatedAt: '2024-04-02T08:00:00.000Z',
    runs: overrides.nothingSealed === true ? [] : runs,
    configuredScope: overrides.configuredScope ?? null,
    verification: {
      ok: overrides.nothingSealed === true ? false : ok,
      nothingSealed: overrides.nothingSealed === true,
      errors: findings.filter((f) => f.severity === 'error').length,
      warnings: findings.filter((f) => f.severity === 'warning').length,
      findings,
      keyFingerprint: '1a2b 3c4d 5e6f 7a8b 9c0d 1e2f 3a4b 5c6d 7e8f 9a0b 1c2d 3e4f 5a6b 7c8d 9e0f 1a2b',
      entries: overrides.nothingSealed === true ? 0 : 6,
      lastSeq: overrides.nothingSealed === true ? null : 6,
      lastHash: overrides.nothingSealed === true ? null : 'f'.repeat(64),
      runsRecomputed: 3,
    },
  };
}
