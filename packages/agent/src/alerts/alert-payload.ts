import { hostname } from 'node:os';
import { scrubString } from '../logging/redact-for-log.js';
import type { RunRecord } from '../runner/run-records.js';
import { AGENT_VERSION } from '../version.js';

/** Submission id digits in an alert, as `esms status` and `esms resend` show them. */
const SHORT_ID_LENGTH = 12;

export type AlertEvent =
  /** A run ended in error (nothing sealed or sent) or failed (its submission refused or overdue). */
  | 'run-failed'
  /** A submission was moved to the kept failures (refused by the ARS, or overdue at its deadline). */
  | 'submission-failed';

/**
 * What an alert webhook receives (POST, JSON) and an alert command reads on its standard input. Versioned;
 * fields may be added, never renamed. Aggregates only: FINESS numbers, figures, counts, codes and the
 * agent's own messages (scrubbed of anything that looks like an INS/NIR); never a person, a record id or
 * free text from the DUI.
 */
export interface AlertPayload {
  kind: 'esms-alert';
  version: 1;
  event: AlertEvent;
  /** When the alert was raised (ISO instant, UTC) and the schedule's zone to read it in. */
  at: string;
  timezone: string;
  host: string;
  agentVersion: string;
  configPath: string;
  run: {
    runId: string;
    trigger: RunRecord['trigger'];
    measureDate: string;
    outcome: RunRecord['outcome'];
    durationMs: number | null;
    recordsRead: number | null;
    error: { code: string; message: string } | null;
    /** Per ESSMS: VA readiness and `numerator/denominator` of each rate. */
    establishments: Array<{ finess: string; vaReady: boolean; rates: Record<string, string> }>;
  } | null;
  submission: {
    /** The first digits of the submission id (what `esms resend` takes). */
    id: string;
    kind: 'refused' | 'overdue';
    code: string;
    httpStatus: number | null;
    attempts: number;
    reason: string;
    measureDate: string | null;
  } | null;
  /** What a person should run first. */
  hint: string;
}

export interface AlertContext {
  now: Date;
  timezone: string;
  configPath: string;
}

function base(
  event: AlertEvent,
  context: AlertContext,
): Pick<
  AlertPayload,
  'kind' | 'version' | 'event' | 'at' | 'timezone' | 'host' | 'agentVersion' | 'configPath'
> {
  return {
    kind: 'esms-alert',
    version: 1,
    event,
    at: context.now.toISOString(),
    timezone: context.timezone,
    host: hostname(),
    agentVersion: AGENT_VERSION,
    configPath: context.configPath,
  };
}

/** A run that ended `error` or `failed`. */
export function runFailedAlert(record: RunRecord, context: AlertContext): AlertPayload {
  return {
    ...base('run-failed', context),
    run: runPart(record),
    submission: null,
    hint: `esms status --config ${context.configPath}`,
  };
}

/** A submission moved to the kept failures; `run` is the run that queued it, when known. */
export function submissionFailedAlert(
  failure: {
    id: string;
    code: string;
    reason: string;
    status?: number | undefined;
    attempts: number;
  },
  run: RunRecord | undefined,
  context: AlertContext,
): AlertPayload {
  const short = failure.id.slice(0, SHORT_ID_LENGTH);
  return {
    ...base('submission-failed', context),
    run: run === undefined ? null : runPart(run),
    submission: {
      id: short,
      kind: failure.code === 'submission-deadline' ? 'overdue' : 'refused',
      code: failure.code,
      httpStatus: failure.status ?? null,
      attempts: failure.attempts,
      reason: scrubString(failure.reason),
      measureDate: run?.measureDate ?? null,
    },
    hint: `once the cause is fixed: esms resend ${short} --config ${context.configPath}`,
  };
}

function runPart(record: RunRecord): NonNullable<AlertPayload['run']> {
  return {
    runId: record.runId,
    trigger: record.trigger,
    measureDate: record.measureDate,
    outcome: record.outcome,
    durationMs: record.durationMs,
    recordsRead: record.recordsRead,
    error:
      record.error === null ? null : { code: record.error.code, message: scrubString(record.error.message) },
    establishments: record.figures.map((f) => ({
      finess: f.finess,
      vaReady: f.vaReady,
      rates: Object.fromEntries(
        Object.entries(f.rates).map(([id, r]) => [id, `${r.numerator}/${r.denominator}`]),
      ),
    })),
  };
}
