import { RATE_INDICATOR_IDS } from '@esms-numerique/sdk';
import { AGENT_VERSION } from '../version.js';
import type { AgentStatus, ShownOutcome, StatusProblemCode } from './agent-status.js';

/**
 * `esms status --format prometheus`: the Prometheus text exposition format (version 0.0.4), as
 * node_exporter's textfile collector reads it (`--out /var/lib/prometheus/node-exporter/esms.prom`).
 * Every metric is named `esms_*`, each family has its HELP and TYPE lines, label values are escaped.
 * Aggregates only: figures, counts, times, FINESS numbers; never a person or a record id.
 */

/** Every outcome a run can show, so that `esms_last_run_outcome` is one-hot over a fixed set. */
const OUTCOMES: readonly ShownOutcome[] = [
  'submitted',
  'sealed',
  'pending',
  'failed',
  'overdue',
  'error',
  'aborted',
  'interrupted',
  'running',
];

/** Every problem code, so that `esms_problems{code}` exists at 0 and an alert rule can compare it. */
const PROBLEM_CODES: readonly StatusProblemCode[] = [
  'submission-failed',
  'submission-overdue',
  'submission-past-deadline',
  'outbox-corrupt',
  'run-interrupted',
  'last-run-error',
  'establishment-missing',
  'evidence-inconsistent',
];

type Labels = Readonly<Record<string, string>>;
interface Sample {
  labels?: Labels;
  value: number;
}
interface Family {
  name: string;
  help: string;
  samples: Sample[];
}

export function formatStatusPrometheus(status: AgentStatus): string {
  const families: Family[] = [];
  const gauge = (name: string, help: string, samples: Sample[] | number | null): void => {
    const list = samples === null ? [] : typeof samples === 'number' ? [{ value: samples }] : samples;
    families.push({ name, help, samples: list });
  };
  const seconds = (iso: string | null | undefined): number | null =>
    iso === null || iso === undefined ? null : Date.parse(iso) / 1000;

  gauge('esms_info', 'The agent: version, the schedule time zone and the config file (always 1).', [
    {
      labels: { version: AGENT_VERSION, timezone: status.timezone, config_path: status.configPath },
      value: 1,
    },
  ]);
  gauge(
    'esms_status_timestamp_seconds',
    'When this status was taken (Unix time).',
    seconds(status.generatedAt),
  );

  const last = status.runs.find((run) => run.outcome !== 'running') ?? null;
  gauge(
    'esms_last_run_start_timestamp_seconds',
    'When the last finished run started (Unix time).',
    seconds(last?.startedAt),
  );
  gauge(
    'esms_last_run_end_timestamp_seconds',
    'When the last finished run ended (Unix time).',
    seconds(last?.finishedAt),
  );
  gauge(
    'esms_last_run_duration_seconds',
    'How long the last finished run took.',
    last?.durationMs == null ? null : last.durationMs / 1000,
  );
  gauge(
    'esms_last_run_outcome',
    'Outcome of the last finished run: 1 for its outcome, 0 for the others.',
    last === null
      ? []
      : OUTCOMES.map((outcome) => ({ labels: { outcome }, value: last.outcome === outcome ? 1 : 0 })),
  );
  gauge(
    'esms_last_run_success',
    'Whether the last finished run ended submitted or sealed (1) or not (0).',
    last === null ? null : last.outcome === 'submitted' || last.outcome === 'sealed' ? 1 : 0,
  );
  gauge(
    'esms_last_run_measure_date_timestamp_seconds',
    'The measurement date D of the last finished run (its UTC midnight, Unix time).',
    last === null ? null : Date.parse(`${last.measureDate}T00:00:00Z`) / 1000,
  );
  gauge(
    'esms_last_success_timestamp_seconds',
    'When the last run that ended submitted or sealed finished (Unix time).',
    seconds(status.lastSuccessfulRun?.finishedAt),
  );
  gauge(
    'esms_running',
    'Whether a run is in progress now (1) or not (0).',
    status.runs.some((run) => run.outcome === 'running') ? 1 : 0,
  );
  gauge(
    'esms_next_run_timestamp_seconds',
    'The next scheduled run (Unix time); absent when the schedule never matches again.',
    seconds(status.nextRun?.at),
  );

  const { submissions } = status;
  const open = submissions.failed.filter((f) => !f.superseded);
  const pastDeadline = status.problems.filter((p) => p.code === 'submission-past-deadline').length;
  gauge(
    'esms_submissions_delivered',
    'Submissions received by the ARS (outbox done/).',
    submissions.delivered,
  );
  gauge('esms_submissions_pending', 'Submissions queued, still being retried.', submissions.pending.length);
  gauge(
    'esms_submissions_past_deadline',
    'Pending submissions past their retry deadline (need a human).',
    pastDeadline,
  );
  gauge(
    'esms_submissions_refused',
    'Submissions the ARS refused, not superseded by a later delivery (need esms resend).',
    open.filter((f) => f.kind === 'refused').length,
  );
  gauge(
    'esms_submissions_overdue',
    'Submissions given up at their retry deadline, not superseded (need esms resend).',
    open.filter((f) => f.kind === 'overdue').length,
  );
  gauge('esms_outbox_corrupt_files', 'Outbox files that cannot be read.', submissions.corrupt.length);

  const figures = status.lastFigures;
  gauge(
    'esms_establishment_computed',
    'Per configured ESSMS: whether the last run that computed figures had figures for it.',
    (figures?.establishments ?? []).map((e) => ({ labels: { finess: e.finess }, value: e.computed ? 1 : 0 })),
  );
  gauge(
    'esms_va_ready',
    'Per configured ESSMS: whether its last computed figures meet every target (VA readiness).',
    (figures?.establishments ?? [])
      .filter((e) => e.vaReady !== null)
      .map((e) => ({ labels: { finess: e.finess }, value: e.vaReady === true ? 1 : 0 })),
  );
  gauge(
    'esms_indicator_rate_percent',
    'Per configured ESSMS and rate indicator: the last computed rate (absent when its denominator is 0).',
    (figures?.establishments ?? []).flatMap((e) =>
      RATE_INDICATOR_IDS.flatMap((indicator) => {
        const rate = e.rates[indicator]?.rate;
        return rate === null || rate === undefined
          ? []
          : [{ labels: { finess: e.finess, indicator }, value: rate }];
      }),
    ),
  );
  gauge(
    'esms_evidence_last_entry_seq',
    'Sequence number of the last evidence journal entry.',
    status.evidence.lastEntry?.seq ?? null,
  );
  gauge(
    'esms_evidence_last_seal_ok',
    "Whether the last sealed run's entry, signature, results and submission agree (1) or not (0).",
    status.evidence.lastRun === null ? null : status.evidence.lastRun.problem === null ? 1 : 0,
  );
  gauge(
    'esms_problems',
    'Things that need a human, by code (esms status lists them; it exits 1 when any is above 0).',
    PROBLEM_CODES.map((code) => ({
      labels: { code },
      value: status.problems.filter((p) => p.code === code).length,
    })),
  );
  gauge(
    'esms_attention_needed',
    'Whether anything needs a human (1) or not (0).',
    status.problems.length > 0 ? 1 : 0,
  );

  return families
    .filter((family) => family.samples.length > 0)
    .map(formatFamily)
    .join('');
}

function formatFamily(family: Family): string {
  const lines = [`# HELP ${family.name} ${escapeHelp(family.help)}`, `# TYPE ${family.name} gauge`];
  for (const sample of family.samples)
    lines.push(`${family.name}${formatLabels(sample.labels)} ${formatValue(sample.value)}`);
  return `${lines.join('\n')}\n`;
}

function formatLabels(labels: Labels | undefined): string {
  if (labels === undefined) return '';
  const pairs = Object.entries(labels).map(([name, value]) => `${name}="${escapeLabelValue(value)}"`);
  return pairs.length === 0 ? '' : `{${pairs.join(',')}}`;
}

/** Label values: backslash, double quote and line feed escaped (the exposition format's rule). */
export function escapeLabelValue(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

/** HELP text: backslash and line feed escaped. */
function escapeHelp(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}

function formatValue(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return '+Inf';
  if (value === -Infinity) return '-Inf';
  return String(value);
}
