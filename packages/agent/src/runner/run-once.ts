import { randomBytes } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import {
  pseudonymiseSubjectLists,
  RATE_INDICATOR_IDS,
  serialisableOptions,
  toMeasureReports,
  type Fact,
  type ResultsDocument,
} from '@esms-numerique/sdk';
import { applyScope, scopeFromConfig } from '../scope/establishment-scope.js';
import { computeOptionsFromConfig } from '../config/compute-options.js';
import { resolveMeasureDate } from '../config/measure-date.js';
import { AgentError, isAgentError } from '../errors.js';
import { createPseudonymiser } from '../evidence/pseudonymiser.js';
import { measuresDigest } from '../evidence/recompute.js';
import { pseudonymiseFindings } from '../evidence/pseudonymise-findings.js';
import { sealedInputNamer, withSealedInputs } from '../evidence/sealed-input-names.js';
import { recordFailure, recordReceipt, sealRunAndSubmission } from '../evidence/seal.js';
import type { EvidenceStore } from '../evidence/store.js';
import { buildSubmission } from '../submit/build-submission.js';
import { deliverPending, type DeliveryOutcome } from '../submit/deliver.js';
import type { Outbox } from '../submit/outbox.js';
import {
  inPhase,
  SILENT_PROGRESS,
  type PhaseDetails,
  type ProgressObserver,
} from '../progress/progress-observer.js';
import { AGENT_VERSION } from '../version.js';
import { computeFromSources } from './compute-from-source.js';
import { createProjectionWriter, type ProjectionBlob } from '../evidence/projection-writer.js';
import { sealScopedProjection, type ScopedExpectation } from './scoped-projection.js';
import type { RunDependencies, SubmissionDependencies } from './run-dependencies.js';
import { acquireRunLock } from './run-lock.js';
import {
  listRunRecords,
  newRunId,
  outcomeShown,
  writeRunRecord,
  type RunFigures,
  type RunRecord,
} from './run-records.js';

export interface RunOnceOptions {
  trigger: RunRecord['trigger'];
  /** Overrides the config's measurement-date rule. */
  measureDate?: string | undefined;
  /** SIGINT/SIGTERM: stops reading, or stops between delivery attempts; nothing is left half-written. */
  signal?: AbortSignal | undefined;
  /**
   * How long delivery may go on (retries included) before the run returns with its submission `pending`
   * (`esms run-once --wait`), counted from the first send; default: until the retry deadline (the daemon).
   */
  deliveryWaitMs?: number | undefined;
  /** Told of each phase (read, compute, seal, submit) and of the records and pages read. */
  progress?: ProgressObserver | undefined;
  /**
   * `false` seals the whole projection, every ESSMS of the data, as esms 0.1 did (tests of stores it
   * sealed); default: only what the configured ESSMS's figures need.
   */
  scopeProjection?: boolean | undefined;
}

/** The spool directory of earlier versions, in the data directory (removed at each run). */
const LEGACY_SPOOL_DIR = 'spool';

/**
 * One run: pull → compute → seal the evidence → queue the submission durably → deliver → store the
 * receipt. The order is what makes a crash at any instant safe: nothing is sent before it is sealed and
 * in the outbox, and a submission stays pending until its receipt is on disk, so a restart re-sends the
 * same bytes under the same id and the ARS keeps one copy.
 */
export async function runOnce(deps: RunDependencies, options: RunOnceOptions): Promise<RunRecord> {
  const { config, logger } = deps;
  const log = logger.child({ component: 'runner' });
  const lock = await acquireRunLock(config.dataDir);
  // Versions before the scoped projection was read back from its blob spooled a shared DUI's pseudonymised
  // facts here between the read and the seal; a run they crashed left them behind (no run uses it now).
  // Best effort: a cleanup that fails must not fail the run (nor keep the lock).
  await rm(join(config.dataDir, LEGACY_SPOOL_DIR), { recursive: true, force: true }).catch(() => undefined);
  const started = deps.clock();
  const measureDate =
    options.measureDate ?? resolveMeasureDate(config.measureDate, started, config.schedule.timezone);
  const record: RunRecord = {
    runId: newRunId(started, randomBytes(4).toString('hex')),
    trigger: options.trigger,
    measureDate,
    startedAt: started.toISOString(),
    finishedAt: null,
    durationMs: null,
    outcome: 'running',
    pid: process.pid,
    submissionId: null,
    recordsRead: null,
    dataQuality: null,
    figures: [],
    missingEstablishments: [],
    error: null,
  };
  // Set when this run's own delivery moved its submission to the kept failures (already alerted).
  const alerted = { submissionFailed: false };
  try {
    await writeRunRecord(config.dataDir, record);
    const store = await deps.evidence();
    const outbox = deps.submission === null ? null : await deps.submission.outbox();
    await sealAndSubmit(deps, record, store, outbox, options, alerted);
  } catch (error) {
    record.outcome = options.signal?.aborted ? 'aborted' : 'error';
    record.error = isAgentError(error)
      ? { code: error.code, message: error.message }
      : { code: 'internal', message: error instanceof Error ? error.message : String(error) };
    if (record.outcome === 'error') log.error({ err: record.error, runId: record.runId }, 'run failed');
  } finally {
    const finished = deps.clock();
    record.finishedAt = finished.toISOString();
    record.durationMs = finished.getTime() - started.getTime();
    await writeRunRecord(config.dataDir, record).catch((error: unknown) =>
      log.error({ err: String(error) }, 'cannot write the run record'),
    );
    await lock.release();
  }
  // One summary line per run: figures per ESSMS, duration, outcome (aggregates only); at error level
  // when the run needs a human (follow-up O5), so that `journalctl -p err` finds it.
  const summaryLevel = record.outcome === 'error' || record.outcome === 'failed' ? 'error' : 'info';
  log[summaryLevel](
    {
      runId: record.runId,
      measureDate: record.measureDate,
      outcome: record.outcome,
      durationMs: record.durationMs,
      recordsRead: record.recordsRead,
      dataQuality: record.dataQuality,
      figures: record.figures.map((f) => ({
        finess: f.finess,
        vaReady: f.vaReady,
        ...Object.fromEntries(
          Object.entries(f.rates).map(([id, r]) => [id, `${r.numerator}/${r.denominator}`]),
        ),
      })),
      ...(record.error ? { error: record.error } : {}),
    },
    // A submission given up at its retry deadline was not refused: the log says "overdue".
    `run ${outcomeShown(record)}`,
  );
  // A run that needs a human says so to whoever is configured (once: a submission that failed during
  // this run was already the subject of an alert, with this run's figures).
  if (record.outcome === 'error' || (record.outcome === 'failed' && !alerted.submissionFailed)) {
    await deps.alerts?.runFailed(record);
  }
  return record;
}

async function sealAndSubmit(
  deps: RunDependencies,
  record: RunRecord,
  store: EvidenceStore,
  outbox: Outbox | null,
  options: RunOnceOptions,
  alerted: { submissionFailed: boolean },
): Promise<void> {
  const { config, submission: submitting } = deps;
  const log = deps.logger.child({ component: 'runner' });
  const progress = options.progress ?? SILENT_PROGRESS;

  const window = deliveryWindow(options);
  // `--wait 0s`: seal and queue, send nothing now (the daemon or the next run delivers).
  const sendNow = options.deliveryWaitMs !== 0;
  // Whatever a previous run left pending goes first, so a restart finishes what a crash interrupted.
  if (sendNow && outbox !== null && submitting !== null && (await outbox.list()).pending.length > 0) {
    await inPhase(
      progress,
      'submit',
      () => deliver(deps, submitting, store, outbox, window.signal()),
      deliveryDetails,
      deliveryOutcome,
    );
  }

  const computeOptions = computeOptionsFromConfig(config, record.measureDate);
  const pseudonymise = createPseudonymiser(store.pseudonymSecret);
  // One scope for everything that follows: the figures sealed, submitted, reported and exported, and
  // the projection (only what the configured ESSMS's figures need).
  const scope = scopeFromConfig(config);
  // The earliest instant a rule can look at: AuditEvents older than that cannot change a figure.
  const yearBefore = `${Number(record.measureDate.slice(0, 4)) - 1}-01-01`;
  const projectStart = config.computation.projectStartDate;
  const windowStart = projectStart !== null && projectStart < yearBefore ? projectStart : yearBefore;
  // Read once (issue 13): the reader threads pseudonymise and encode the projection of all they read. When
  // the data holds no ESSMS outside the configured scope, that projection is already the scoped one. When it
  // does (a DUI shared with other ESSMS), sealing it would seal their persons' facts: it is read back from
  // its unfinished blob and scoped to the configured ESSMS (follow-up F2, `scoped-projection.ts`), and the
  // whole one is dropped.
  let computed;
  let projection: {
    seal: (expected: ScopedExpectation) => Promise<ProjectionBlob>;
    abort: () => Promise<void>;
  };
  const threaded = createProjectionWriter(store);
  // Files are sealed by their name under the configured source path, never the machine's own path (G10).
  let sealedInputRoots: string[] = [];
  try {
    const sources = await deps.sources(windowStart);
    sealedInputRoots = sources.flatMap((source) => [...(source.localPaths ?? [])]);
    computed = await computeFromSources(sources, computeOptions, {
      signal: options.signal,
      progress,
      projection: {
        pseudonymSecret: store.pseudonymSecret,
        sealedInputRoots,
        write: (fact) => threaded.write(fact),
        appendSegment: (segment) => threaded.appendSegment(segment),
      },
    });
  } catch (error) {
    await threaded.abort();
    throw error;
  }
  const sealedInput = sealedInputNamer(sealedInputRoots);
  const scoped = applyScope(computed.computation, scope);
  if (options.scopeProjection === false || scoped.notConfigured.length === 0) {
    projection = { seal: () => threaded.finish(), abort: () => threaded.abort() };
  } else {
    log.info({}, 'the data holds ESSMS outside the config: the projection is scoped to the configured ESSMS');
    projection = {
      seal: async (expected) => {
        try {
          return await sealScopedProjection(
            store,
            scope,
            log, // The evidence code decodes facts as opaque JSON: they are the SDK facts this run wrote.
            () => threaded.replay() as AsyncIterable<Fact>,
            expected,
          );
        } finally {
          await threaded.abort();
        }
      },
      abort: () => threaded.abort(),
    };
  }
  const { results, subjects, notConfigured, absent } = scoped;
  record.recordsRead = computed.recordsRead;
  record.dataQuality = {
    errors: results.dataQuality.errors.length,
    warnings: results.dataQuality.warnings.length,
  };
  record.missingEstablishments = absent;
  record.figures = figuresOf(results);
  if (record.missingEstablishments.length > 0) {
    log.warn(
      { missing: record.missingEstablishments },
      'configured ESSMS with nothing computed (no séjour, or FINESS not in the data): named as an error in the data quality',
    );
  }
  if (notConfigured.length > 0) {
    log.warn(
      { notConfigured },
      'ESSMS in the data but not in the config: left out (named in the data quality), never submitted',
    );
  }
  // MeasureReport.date: when this run started (the figures are those of its read).
  const reports = toMeasureReports(results, { date: record.startedAt });
  // The id is derived from the figures alone: the seal the bytes will carry does not change it.
  const submissionId = buildSubmission(results, reports).id;
  record.submissionId = submissionId;

  if (options.signal?.aborted) {
    await projection.abort();
    throw new AgentError('aborted', 'stopped before sealing: nothing was written');
  }
  // Sealed BEFORE anything is sent (contract.md §5): the run, then the bytes that carry its seal.
  progress.phaseStarted('seal');
  const built: { submission?: ReturnType<typeof buildSubmission> } = {};
  let sealed;
  try {
    const sealedSubjects = pseudonymiseSubjectLists(subjects, pseudonymise);
    const projectionBlob = await projection.seal({
      options: computed.options,
      results,
      subjects: sealedSubjects,
    });
    sealed = await sealRunAndSubmission(
      store,
      {
        runId: record.runId,
        submissionId,
        softwareVersion: AGENT_VERSION,
        configDigest: deps.configDigest,
        measuresDigest: measuresDigest(),
        computeOptions: serialisableOptions(computed.options),
        measureDate: record.measureDate,
        periods: Object.fromEntries(results.establishments.map((e) => [e.finess, e.period])),
        scope,
        projection: projectionBlob,
        // Record ids in the data-quality findings are pseudonymised like every id sealed (contract.md §5).
        results: {
          ...results,
          dataQuality: withSealedInputs(pseudonymiseFindings(results.dataQuality, pseudonymise), sealedInput),
        },
        subjects: sealedSubjects,
      },
      (seal) => {
        built.submission = buildSubmission(results, reports, seal);
        return { body: built.submission.body };
      },
    );
  } catch (error) {
    progress.phaseEnded('seal', { outcome: 'failed' });
    throw error;
  }
  progress.phaseEnded('seal', {
    details: { entry: sealed.runEntry.seq, establishments: results.establishments.length },
  });
  const submission = built.submission;
  if (submission === undefined) throw new AgentError('internal', 'the submission was not built');
  await writeRunRecord(config.dataDir, record);

  if (outbox === null || submitting === null) {
    record.outcome = 'sealed';
    return;
  }
  const queued = await outbox.enqueue(submission);
  if (!queued.created && queued.state === 'done') {
    // The same figures were already received: nothing to send twice. This run's seal gets the receipt
    // too, so the journal (and the signatory's report) shows every sealed run with its outcome.
    const receipt = (await outbox.get(submission.id))?.item.receipt;
    if (receipt !== undefined) {
      await recordReceipt(store, {
        runId: record.runId,
        submissionId: submission.id,
        receipt,
        httpStatus: receipt.status,
      });
    }
    record.outcome = 'submitted';
    // Nothing was sent by this run: say so, in the record and the log (audit G4).
    record.detail = 'already-submitted';
    log.info(
      { submission: submission.id.slice(0, 12) },
      'these figures were already received by the ARS (receipt kept in the outbox): nothing sent again',
    );
    return;
  }
  if (!queued.created && queued.state === 'failed') {
    // These exact bytes are kept as failed: never retried blindly (contract.md §4); a person decides, and
    // sends them again with `esms resend` once the cause is fixed.
    const failure = (await outbox.get(submission.id))?.item.failure;
    record.outcome = 'failed';
    record.error = {
      code: failure?.code ?? 'submission-permanent',
      message: `${keptFailureText(failure?.code)}, not re-sent: ${failure?.reason ?? 'see esms status'}; ${resendHint(submission.id, failure?.code)}`,
    };
    // No `submission-failed` entry (follow-up F12): nothing was sent, and the failure of these exact bytes
    // is already in the journal, under the same submission id this run's seal names.
    return;
  }
  if (!sendNow) {
    log.info(
      { submission: submission.id.slice(0, 12) },
      'sealed and queued, not sent (--wait 0s): the daemon or the next run sends it',
    );
    record.outcome = 'pending';
    return;
  }
  const outcomes = await inPhase(
    progress,
    'submit',
    () => deliver(deps, submitting, store, outbox, window.signal()),
    deliveryDetails,
    deliveryOutcome,
  );
  const mine = outcomes.find((o) => 'id' in o && o.id === submission.id);
  if (mine?.state === 'pending' && window.expired()) {
    log.warn(
      { submission: submission.id.slice(0, 12), waitMs: options.deliveryWaitMs },
      'stopped waiting for the ARS: the submission stays queued; the daemon or the next run sends it',
    );
  }
  record.outcome =
    mine === undefined
      ? 'pending'
      : mine.state === 'done'
        ? 'submitted'
        : mine.state === 'failed'
          ? 'failed'
          : 'pending';
  if (mine?.state === 'failed') {
    record.error = { code: mine.failure.code, message: mine.failure.reason };
    alerted.submissionFailed = true;
  }
}

/**
 * Delivers every pending submission and writes each receipt or final failure into the evidence; run
 * records left `pending` by earlier runs are brought up to date (`submitted` or `failed`), so `esms status`
 * tells the truth. The caller holds the run lock. Also used by the daemon to resume at start.
 */
export async function deliver(
  deps: Pick<RunDependencies, 'config' | 'logger' | 'clock' | 'alerts'>,
  submitting: SubmissionDependencies,
  store: EvidenceStore,
  outbox: Outbox,
  signal?: AbortSignal,
): Promise<DeliveryOutcome[]> {
  const client = await submitting.transport();
  const outcomes = await deliverPending({
    outbox,
    client,
    policy: submitting.retryPolicy,
    logger: deps.logger.child({ component: 'submitter' }),
    now: deps.clock,
    ...(submitting.sleep ? { sleep: submitting.sleep } : {}),
    ...(signal ? { signal } : {}),
  });
  const runs = await listRunRecords(deps.config.dataDir, 1000);
  for (const outcome of outcomes) {
    if (outcome.state !== 'done' && outcome.state !== 'failed') continue;
    const run = runs.find((r) => r.submissionId === outcome.id);
    const runId = run?.runId ?? 'unknown';
    if (outcome.state === 'done') {
      await recordReceipt(store, {
        runId,
        submissionId: outcome.id,
        receipt: outcome.receipt,
        httpStatus: outcome.receipt.status,
      });
    } else {
      await recordFailure(store, {
        runId,
        submissionId: outcome.id,
        code: outcome.failure.code,
        message: outcome.failure.reason,
        ...(outcome.failure.status === undefined ? {} : { httpStatus: outcome.failure.status }),
      });
      // Kept as failed: a person must act (esms resend once the cause is fixed).
      await deps.alerts?.submissionFailed(
        {
          id: outcome.id,
          code: outcome.failure.code,
          reason: outcome.failure.reason,
          status: outcome.failure.status,
          attempts: outcome.attempts,
        },
        // The run that queued it, as it ends because of this failure.
        run === undefined
          ? undefined
          : {
              ...run,
              outcome: 'failed',
              error: { code: outcome.failure.code, message: outcome.failure.reason },
            },
      );
    }
    // The receipt is in the evidence first; then the records of the runs that queued it are updated
    // (several runs of the same figures share one submission).
    for (const queued of runs) {
      if (queued.submissionId !== outcome.id || queued.outcome !== 'pending') continue;
      queued.outcome = outcome.state === 'done' ? 'submitted' : 'failed';
      queued.error =
        outcome.state === 'done' ? null : { code: outcome.failure.code, message: outcome.failure.reason };
      await writeRunRecord(deps.config.dataDir, queued);
    }
  }
  return outcomes;
}

/** A `submit` phase in which a submission was kept as failed did not end `ok` (follow-up O5). */
function deliveryOutcome(outcomes: readonly DeliveryOutcome[]): 'ok' | 'failed' {
  return outcomes.some((o) => o.state === 'failed') ? 'failed' : 'ok';
}

/** The counts a `submit` phase ends with (aggregates: how many submissions ended which way). */
function deliveryDetails(outcomes: readonly DeliveryOutcome[]): PhaseDetails {
  return {
    delivered: outcomes.filter((o) => o.state === 'done').length,
    failed: outcomes.filter((o) => o.state === 'failed').length,
    pending: outcomes.filter((o) => o.state === 'pending').length,
  };
}

/** How a kept failure is named, in the run record and the logs: a refusal, or overdue. */
export function keptFailureText(code: string | undefined): string {
  return code === 'submission-deadline'
    ? 'already overdue (retries given up at the retry deadline)'
    : 'already refused by the ARS';
}

export function resendHint(id: string, code: string | undefined): string {
  return code === 'submission-deadline'
    ? `once the ARS is reachable: esms resend ${id.slice(0, 12)}`
    : `once the cause is fixed: esms resend ${id.slice(0, 12)}`;
}

/**
 * The signal delivery stops on: the run's own (SIGINT/SIGTERM), and, with `deliveryWaitMs`, a timer
 * started when delivery first begins (computing and sealing do not count against the wait).
 */
export function deliveryWindow(options: Pick<RunOnceOptions, 'signal' | 'deliveryWaitMs'>): {
  signal: () => AbortSignal | undefined;
  expired: () => boolean;
} {
  let timeout: AbortSignal | undefined;
  let combined: AbortSignal | undefined;
  return {
    signal() {
      if (options.deliveryWaitMs === undefined) return options.signal;
      timeout ??= AbortSignal.timeout(options.deliveryWaitMs);
      combined ??= options.signal === undefined ? timeout : AbortSignal.any([options.signal, timeout]);
      return combined;
    },
    expired: () => timeout?.aborted === true,
  };
}

function figuresOf(results: ResultsDocument): RunFigures[] {
  return results.establishments.map((e) => ({
    finess: e.finess,
    vaReady: e.vaReady,
    rates: Object.fromEntries(
      RATE_INDICATOR_IDS.map((id) => {
        const r = e.indicators[id];
        return [id, { numerator: r.numerator, denominator: r.denominator, rate: r.rate, met: r.met }];
      }),
    ),
  }));
}
