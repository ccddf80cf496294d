import type { LoadedConfig } from '../config/load-config.js';
import { nextScheduledRun } from '../daemon/node-cron-scheduler.js';
import { readJournal } from '../evidence/journal.js';
import { evidenceDirectory } from '../runner/agent-context.js';
import { listRunRecords, outcomeShown, type RunRecord } from '../runner/run-records.js';
import type { OutboxItem } from '../submit/outbox.js';
import type {
  AgentStatus,
  FailedSubmission,
  PendingSubmission,
  RunSummary,
  StatusProblem,
} from './agent-status.js';
import { checkLastSeal, type LastSealCheck } from './check-last-seal.js';
import { isProcessAlive } from '../shared/process-alive.js';
import { readOutboxSnapshot } from './read-outbox.js';

export interface CollectStatusOptions {
  now?: (() => Date) | undefined;
  /** Whether the pid of a `running` record is still alive (tests pass their own). */
  isAlive?: ((pid: number) => boolean) | undefined;
  /** The schedule's next slot (default: node-cron, computed without starting anything). */
  nextRun?: ((spec: { cron: string; timezone: string }) => Date | null) | undefined;
  /** Runs listed (the problems look at every run record). Default 10. */
  runsShown?: number | undefined;
}

const DEFAULT_RUNS_SHOWN = 10;
/** Every run record is read to judge interrupted runs; this bounds a pathological directory. */
const RUN_HISTORY_LIMIT = 10_000;
const HASH_PREFIX_LENGTH = 12;
const HOUR_MS = 3_600_000;

/**
 * The agent's state, read from the data directory without changing anything: run records, the outbox, the
 * evidence journal and the schedule. Safe to call while the daemon or `esms run-once` is working.
 */
export async function collectStatus(
  loaded: LoadedConfig,
  options: CollectStatusOptions = {},
): Promise<AgentStatus> {
  const { config } = loaded;
  const now = (options.now ?? (() => new Date()))();
  const isAlive = options.isAlive ?? isProcessAlive;
  const records = await listRunRecords(config.dataDir, RUN_HISTORY_LIMIT);
  const runs = records.map((record) => summarise(record, isAlive));
  const outbox = await readOutboxSnapshot(config.dataDir);
  const deadlineMs = config.ars === null ? null : config.ars.retry.deadlineHours * HOUR_MS;

  const pending = outbox.pending.map((item) => pendingOf(item, deadlineMs));
  const failed = outbox.failed.map((item) => failedOf(item, outbox.done));
  const lastComputed = records.find(
    (r) => r.recordsRead !== null && r.outcome !== 'running' && r.outcome !== 'error',
  );
  const missingEstablishments =
    lastComputed === undefined
      ? []
      : config.establishments
          .map((e) => e.finess)
          .filter((finess) => !lastComputed.figures.some((f) => f.finess === finess));

  const next = (options.nextRun ?? nextScheduledRun)({
    cron: config.schedule.cron,
    timezone: config.schedule.timezone,
  });
  const evidenceDir = evidenceDirectory(config.dataDir);
  const journal = await readJournal(evidenceDir);
  const entries = journal.lines.flatMap((line) => (line.kind === 'entry' ? [line.entry] : []));
  // The cheap check below reads entries only: a damaged line must not hide behind "entries agree".
  const unreadableLines = journal.lines.flatMap((line) =>
    line.kind === 'unreadable' ? [line.lineNumber] : [],
  );
  const last = entries.at(-1);
  const lastRun = await checkLastSeal(evidenceDir, entries);

  const problems = findProblems({
    runs,
    pending,
    failed,
    corrupt: outbox.corrupt,
    missingEstablishments,
    lastRun,
    unreadableLines,
    now,
  });
  const lastSuccess = runs.find((run) => SUCCESSFUL.has(run.outcome));
  return {
    generatedAt: now.toISOString(),
    configPath: loaded.path,
    dataDir: config.dataDir,
    timezone: config.schedule.timezone,
    runs: runs.slice(0, options.runsShown ?? DEFAULT_RUNS_SHOWN),
    submissions: { delivered: outbox.done.length, pending, failed, corrupt: outbox.corrupt },
    missingEstablishments,
    nextRun:
      next === null
        ? null
        : {
            at: next.toISOString(),
            local: localDateTime(next, config.schedule.timezone),
            cron: config.schedule.cron,
            timezone: config.schedule.timezone,
          },
    lastSuccessfulRun:
      lastSuccess === undefined
        ? null
        : {
            runId: lastSuccess.runId,
            measureDate: lastSuccess.measureDate,
            finishedAt: lastSuccess.finishedAt,
          },
    lastFigures:
      lastComputed === undefined
        ? null
        : {
            runId: lastComputed.runId,
            measureDate: lastComputed.measureDate,
            establishments: config.establishments.map(({ finess }) => {
              const figures = lastComputed.figures.find((f) => f.finess === finess);
              return figures === undefined
                ? { finess, computed: false, vaReady: null, rates: {} }
                : { finess, computed: true, vaReady: figures.vaReady, rates: figures.rates };
            }),
          },
    evidence: {
      lastEntry:
        last === undefined
          ? null
          : {
              seq: last.seq,
              type: last.type,
              time: last.time,
              hashPrefix: last.hash.slice(0, HASH_PREFIX_LENGTH),
            },
      lastRun,
      unreadableLines,
    },
    problems,
  };
}

function summarise(record: RunRecord, isAlive: (pid: number) => boolean): RunSummary {
  return {
    runId: record.runId,
    trigger: record.trigger,
    measureDate: record.measureDate,
    startedAt: record.startedAt,
    finishedAt: record.finishedAt,
    outcome: record.outcome === 'running' && !isAlive(record.pid) ? 'interrupted' : outcomeShown(record),
    durationMs: record.durationMs,
    submissionId: record.submissionId,
    figures: record.figures.map((f) => ({
      finess: f.finess,
      vaReady: f.vaReady,
      rates: Object.fromEntries(
        Object.entries(f.rates).map(([id, r]) => [id, `${r.numerator}/${r.denominator}`]),
      ),
    })),
    missingEstablishments: record.missingEstablishments,
    error: record.error,
  };
}

function pendingOf(item: OutboxItem, deadlineMs: number | null): PendingSubmission {
  return {
    id: item.id,
    measureDate: item.measureDate,
    createdAt: item.createdAt,
    attempts: item.attempts,
    lastError: item.lastError ?? null,
    lastStatus: item.lastStatus ?? null,
    nextAttemptAt: item.nextAttemptAt ?? null,
    deadline: deadlineMs === null ? null : new Date(Date.parse(item.createdAt) + deadlineMs).toISOString(),
  };
}

function failedOf(item: OutboxItem, done: readonly OutboxItem[]): FailedSubmission {
  const at = item.failure?.at ?? null;
  return {
    id: item.id,
    kind: item.failure?.code === 'submission-deadline' ? 'overdue' : 'refused',
    measureDate: item.measureDate,
    attempts: item.attempts,
    code: item.failure?.code ?? 'unknown',
    reason: item.failure?.reason ?? item.lastError ?? 'no reason recorded',
    status: item.failure?.status ?? item.lastStatus ?? null,
    at,
    // Re-sent with corrected figures and received: the refusal stays on record but is settled.
    superseded: done.some((d) => d.measureDate === item.measureDate && at !== null && d.createdAt > at),
  };
}

interface ProblemInput {
  runs: RunSummary[];
  pending: PendingSubmission[];
  failed: FailedSubmission[];
  corrupt: Array<{ file: string; reason: string }>;
  missingEstablishments: string[];
  lastRun: LastSealCheck | null;
  unreadableLines: number[];
  now: Date;
}

const SUCCESSFUL: ReadonlySet<string> = new Set(['submitted', 'sealed']);

/** Everything that needs a human (the exit code of `esms status`). */
function findProblems(input: ProblemInput): StatusProblem[] {
  const problems: StatusProblem[] = [];
  for (const f of input.failed) {
    if (f.superseded) continue;
    problems.push(
      f.kind === 'overdue'
        ? {
            code: 'submission-overdue',
            message: `submission ${short(f.id)} (D=${f.measureDate}) is overdue: still failing at its retry deadline after ${f.attempts} attempt(s): ${f.reason}; once the ARS is reachable: esms resend ${short(f.id)}`,
          }
        : {
            code: 'submission-failed',
            message: `submission ${short(f.id)} (D=${f.measureDate}) was refused by the ARS after ${f.attempts} attempt(s): ${f.reason}; once the cause is fixed: esms resend ${short(f.id)}`,
          },
    );
  }
  for (const c of input.corrupt) {
    problems.push({ code: 'outbox-corrupt', message: `outbox file ${c.file} is corrupt: ${c.reason}` });
  }
  input.runs.forEach((run, index) => {
    if (run.outcome !== 'interrupted') return;
    // Runs are most recent first: a later success settles it.
    if (input.runs.slice(0, index).some((later) => SUCCESSFUL.has(later.outcome))) return;
    problems.push({
      code: 'run-interrupted',
      message: `run ${run.runId} (D=${run.measureDate}) was interrupted (its process died) and no run has succeeded since`,
    });
  });
  const lastFinished = input.runs.find((run) => run.outcome !== 'running');
  if (lastFinished?.outcome === 'error') {
    problems.push({
      code: 'last-run-error',
      message: `the last run (D=${lastFinished.measureDate}) ended in error: ${lastFinished.error?.message ?? 'see the log'}`,
    });
  }
  if (input.missingEstablishments.length > 0) {
    problems.push({
      code: 'establishment-missing',
      message: `configured ESSMS with no figures in the last run: ${input.missingEstablishments.join(', ')}`,
    });
  }
  if (input.lastRun?.problem != null) {
    problems.push({
      code: 'evidence-inconsistent',
      message: `the evidence of the last sealed run (D=${input.lastRun.measureDate}, run ${input.lastRun.runId}) would not verify: ${input.lastRun.problem}; run esms verify`,
    });
  }
  if (input.unreadableLines.length > 0) {
    problems.push({
      code: 'evidence-journal-damaged',
      message: `the evidence journal has ${input.unreadableLines.length} unreadable line(s) (line ${input.unreadableLines.join(', ')}): nothing more can be sealed after them; run esms verify`,
    });
  }
  for (const p of input.pending) {
    if (p.deadline !== null && Date.parse(p.deadline) < input.now.getTime()) {
      problems.push({
        code: 'submission-past-deadline',
        message: `submission ${short(p.id)} (D=${p.measureDate}) is still pending after its retry deadline (${p.deadline}); last error: ${p.lastError ?? 'none'}`,
      });
    }
  }
  return problems;
}

function short(id: string): string {
  return id.slice(0, HASH_PREFIX_LENGTH);
}

/** `2024-05-01 05:00` (or `05:00:07` with `seconds`) on the wall clock of `timezone`. */
export function localDateTime(instant: Date, timezone: string, options: { seconds?: boolean } = {}): string {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-GB', {
      timeZone: timezone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      ...(options.seconds === true ? { second: '2-digit' } : {}),
      hourCycle: 'h23',
    })
      .formatToParts(instant)
      .map((p) => [p.type, p.value]),
  );
  const time = `${parts['hour']}:${parts['minute']}${options.seconds === true ? `:${parts['second']}` : ''}`;
  return `${parts['year']}-${parts['month']}-${parts['day']} ${time}`;
}
