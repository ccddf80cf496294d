import { randomBytes } from 'node:crypto';
import {
  pseudonymiseFact,
  pseudonymiseSubjectLists,
  RATE_INDICATOR_IDS,
  serialisableOptions,
  toMeasureReports,
  type ResultsDocument,
} from '@esms-numerique/sdk';
import { applyScope, scopeFromConfig } from '../scope/establishment-scope.js';
import { computeOptionsFromConfig } from '../config/compute-options.js';
import { resolveMeasureDate } from '../config/measure-date.js';
import { AgentError, isAgentError } from '../errors.js';
import { createProjectionWriter } from '../evidence/projection-writer.js';
import { createPseudonymiser } from '../evidence/pseudonymiser.js';
import { measuresDigest } from '../evidence/recompute.js';
import { pseudonymiseFindings } from '../evidence/pseudonymise-findings.js';
import { sealedInputNamer, withSealedInput, withSealedInputs } from '../evidence/sealed-input-names.js';
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
import type { RunDependencies, SubmissionDependencies } from './run-dependencies.js';
import { acquireRunLock } from './run-lock.js';
import { listRunRecords, newRunId, writeRunRecord, type RunFigures, type RunRecord } from './run-records.js';

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
}

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
  // One summary line per run: figures per ESSMS, duration, outcome (aggregates only).
  log.info(
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
    `run ${record.outcome === 'failed' && record.error?.code === 'submission-deadline' ? 'overdue' : record.outcome}`,
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
  // Whatever a previous run left pending goes first, so a restart finishes what a crash interrupted.
  if (outbox !== null && submitting !== null && (await outbox.list()).pending.length > 0) {
    await inPhase(
      progress,
      'submit',
      () => deliver(deps, submitting, store, outbox, window.signal()),
      deliveryDetails,
    );
  }

  const computeOptions = computeOptionsFromConfig(config, record.measureDate);
  const pseudonymise = createPseudonymiser(store.pseudonymSecret);
  const projection = createProjectionWriter(store);
  // The earliest instant a rule can look at: AuditEvents older than that cannot change a figure.
  const yearBefore = `${Number(record.measureDate.slice(0, 4)) - 1}-01-01`;
  const projectStart = config.computation.projectStartDate;
  const windowStart = projectStart !== null && projectStart < yearBefore ? projectStart : yearBefore;
  let computed;
  // Files are sealed by their name under the configured source path, never the machine's own path.
  let sealedInput: (input: string) => string = (input) => input;
  try {
    const sources = await deps.sources(windowStart);
    sealedInput = sealedInputNamer(sources.flatMap((source) => source.localPaths ?? []));
    computed = await computeFromSources(
      sources,
      {
        ...computeOptions,
        onFact: (fact) =>
          // The evidence code treats facts as opaque JSON (its verifier takes the rules as a parameter).
          projection.write(
            withSealedInput(pseudonymiseFact(fact, pseudonymise), sealedInput) as unknown as Record<
              string,
              unknown
            >,
          ),
      },
      { signal: options.signal, progress },
    );
  } catch (error) {
    await projection.abort();
    throw error;
  }
  // One scope for everything that follows: the figures sealed, submitted, reported and exported.
  const scope = scopeFromConfig(config);
  const { results, subjects, notConfigured } = applyScope(computed.computation, scope);
  record.recordsRead = computed.recordsRead;
  record.dataQuality = {
    errors: results.dataQuality.errors.length,
    warnings: results.dataQuality.warnings.length,
  };
  const present = new Set(results.establishments.map((e) => e.finess));
  record.missingEstablishments = (scope ?? []).filter((f) => !present.has(f));
  record.figures = figuresOf(results);
  if (record.missingEstablishments.length > 0) {
    log.warn(
      { missing: record.missingEstablishments },
      'configured ESSMS with nothing computed (no séjour, or FINESS not in the data)',
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
        projection: await projection.finish(),
        // Record ids in the data-quality findings are pseudonymised like every id sealed (contract.md §5).
        results: {
          ...results,
          dataQuality: withSealedInputs(pseudonymiseFindings(results.dataQuality, pseudonymise), sealedInput),
        },
        subjects: pseudonymiseSubjectLists(subjects, pseudonymise),
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
    await recordFailure(store, {
      runId: record.runId,
      submissionId: submission.id,
      code: record.error.code,
      message: record.error.message,
      ...(failure?.status === undefined ? {} : { httpStatus: failure.status }),
    });
    return;
  }
  const outcomes = await inPhase(
    progress,
    'submit',
    () => deliver(deps, submitting, store, outbox, window.signal()),
    deliveryDetails,
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
