import { RATE_INDICATOR_IDS, type RateIndicatorId } from '@esms-numerique/sdk';
import { resolveMeasureDate } from '../../config/measure-date.js';
import type { LoadedConfig } from '../../config/load-config.js';
import { nextScheduledRun } from '../../daemon/node-cron-scheduler.js';
import { evidenceDirOf } from '../../evidence/evidence-dir.js';
import type { EstablishmentResultLike, RateResultLike } from '../../evidence/recompute.js';
import { readJournalEntries } from '../../evidence/journal.js';
import { verifyStoreRun, type RunVerification } from '../../evidence/verified-run.js';
import { loadReportInput } from '../../report/load-report-input.js';
import type { TransmissionState } from '../../report/report-model.js';

/** One ESSMS on the overview: its last sealed figures and their trend across the sealed runs. */
export interface DashboardEstablishment {
  finess: string;
  name: string | null;
  organisation: string | null;
  /** The last sealed run's figures for it (`null`: configured, never in a sealed run). */
  last: EstablishmentResultLike | null;
  /** Per rate indicator, one point per measurement date sealed (the last run sealed for that date). */
  trends: Record<
    RateIndicatorId,
    Array<{ measureDate: string; rate: number | null; met: boolean; figures: RateResultLike }>
  >;
}

export interface DashboardModel {
  generatedAt: string;
  timezone: string;
  measureDates: string[];
  sealedRuns: number;
  lastRun: { measureDate: string; sealedAt: string; transmission: TransmissionState } | null;
  nextRun: string | null;
  verification: { ok: boolean; nothingSealed: boolean; errors: number };
  establishments: DashboardEstablishment[];
  /** D of the worklists: the last sealed run's, else the one the next run would use. */
  worklistMeasureDate: string;
}

let cachedVerification: { dir: string; head: string; checked: RunVerification } | undefined;

/**
 * The overview's figures, read from the evidence (the runs sealed, what became of each submission) and
 * the config (schedule). Verification of the whole store is kept until the journal's head changes.
 */
export async function loadDashboard(loaded: LoadedConfig, now: Date): Promise<DashboardModel> {
  const { config } = loaded;
  const dir = evidenceDirOf(config.dataDir);
  const entries = await readJournalEntries(dir).catch(() => []);
  const head = entries.at(-1)?.hash ?? '';
  if (cachedVerification?.dir !== dir || cachedVerification.head !== head || head === '') {
    cachedVerification = {
      dir,
      head,
      // The whole chain, and the last run recomputed (the one the overview's figures are read from).
      checked: await verifyStoreRun(
        dir,
        {},
        {
          absentStoreIsEmpty: true,
          retentionYears: config.evidence.retentionYears,
        },
      ),
    };
  }
  const checked = cachedVerification.checked;
  const verification = checked.report;
  const input = await loadReportInput(dir, checked, {
    now: () => now,
    installation: {
      dataDir: config.dataDir,
      arsConfigured: config.ars !== null,
      deadlineHours: config.ars?.retry.deadlineHours ?? null,
      establishments: config.establishments.map((e) => e.finess),
    },
  });
  // The last run sealed for each measurement date, in date order.
  const byDate = new Map<string, (typeof input.runs)[number]>();
  for (const run of input.runs) byDate.set(run.measureDate, run);
  const runs = [...byDate.values()].sort((a, b) => (a.measureDate < b.measureDate ? -1 : 1));
  const configured = config.establishments.map((e) => e.finess);
  const seen = new Set(
    configured.length > 0 ? configured : runs.flatMap((r) => r.results.establishments.map((e) => e.finess)),
  );
  const establishments: DashboardEstablishment[] = [...seen].sort().map((finess) => {
    const last =
      runs
        .map((r) => r.results.establishments.find((e) => e.finess === finess))
        .filter((e): e is EstablishmentResultLike => e !== undefined)
        .at(-1) ?? null;
    const trends = Object.fromEntries(
      RATE_INDICATOR_IDS.map((id) => [
        id,
        runs.flatMap((run) => {
          const figures = run.results.establishments.find((e) => e.finess === finess)?.indicators[id];
          return figures === undefined
            ? []
            : [{ measureDate: run.measureDate, rate: figures.rate, met: figures.met, figures }];
        }),
      ]),
    ) as DashboardEstablishment['trends'];
    return { finess, name: last?.name ?? null, organisation: last?.organisation ?? null, last, trends };
  });
  const lastRun = input.runs.at(-1);
  const next = nextScheduledRun({ cron: config.schedule.cron, timezone: config.schedule.timezone });
  return {
    generatedAt: now.toISOString(),
    timezone: config.schedule.timezone,
    measureDates: runs.map((r) => r.measureDate),
    sealedRuns: input.runs.length,
    lastRun:
      lastRun === undefined
        ? null
        : {
            measureDate: lastRun.measureDate,
            sealedAt: lastRun.sealedAt,
            transmission: lastRun.transmission,
          },
    nextRun: next === null ? null : next.toISOString(),
    verification: {
      ok: checked.verdict === 'verified',
      nothingSealed: verification.nothingSealed,
      errors: verification.summary.errors,
    },
    establishments,
    worklistMeasureDate:
      runs.at(-1)?.measureDate ?? resolveMeasureDate(config.measureDate, now, config.schedule.timezone),
  };
}
