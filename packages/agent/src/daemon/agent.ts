import { formatWithOffset } from '@esms-numerique/sdk';
import { resolveMeasureDate } from '../config/measure-date.js';
import { AgentError, isAgentError } from '../errors.js';
import type { AgentLogger } from '../logging/create-logger.js';
import { progressReporter } from '../progress/progress-reporter.js';
import type { AgentContext } from '../runner/agent-context.js';
import { runDependencies } from '../runner/run-dependencies.js';
import { runOnce, type RunOnceOptions } from '../runner/run-once.js';
import { listRunRecords, type RunRecord } from '../runner/run-records.js';
import { catchUpMeasureDate } from './catch-up.js';
import { nodeCronScheduler } from './node-cron-scheduler.js';
import { resumePendingSubmissions, type ResumeResult } from './resume-pending.js';
import type { CreateScheduler, Scheduler } from './scheduler.js';

/** The pipeline of one run (`runOnce`); tests pass one they control. */
export type RunPipeline = (ctx: AgentContext, options: RunOnceOptions) => Promise<RunRecord>;
/** Delivery of what a previous process left pending (`resumePendingSubmissions`). */
export type ResumePipeline = (
  ctx: AgentContext,
  options: { signal?: AbortSignal | undefined },
) => Promise<ResumeResult>;

export interface AgentOptions {
  context: AgentContext;
  /** Default: node-cron in the schedule's time zone. */
  createScheduler?: CreateScheduler | undefined;
  /** The clock of the catch-up decision (default: the context's). */
  now?: (() => Date) | undefined;
  runOnce?: RunPipeline | undefined;
  resumePending?: ResumePipeline | undefined;
}

type AgentState = 'new' | 'started' | 'stopping' | 'stopped';

/** How many run records the catch-up decision looks at (a few years of monthly runs and retries). */
const CATCH_UP_RUN_HISTORY = 200;

/**
 * The daemon (`esms start`, STYLE.md §7): runs the pipeline on the configured schedule, in the config's
 * time zone, one run at a time. At start it resumes pending submissions and catches up a slot missed while
 * it was down. `stop()` stops the schedule, aborts the run in flight through its AbortSignal (a run stops
 * reading, or stops between delivery attempts; a seal is atomic) and waits for it.
 *
 * One run at a time: a tick while a run (or the start-up work) is still going is skipped and logged, never
 * doubled; across processes the run lock does the same (`esms run-once` while the daemon runs).
 */
export class Agent {
  /** Replaced by `reload()`: a run in flight keeps the context it started with. */
  #ctx: AgentContext;
  readonly #createScheduler: CreateScheduler;
  readonly #now: () => Date;
  readonly #runOnce: RunPipeline;
  readonly #resumePending: ResumePipeline;
  #log: AgentLogger;
  readonly #abort = new AbortController();
  #scheduler: Scheduler | null = null;
  #state: AgentState = 'new';
  /** The work in flight (a run, or the start-up resume and catch-up), or `null` when idle. */
  #busy: Promise<void> | null = null;
  #stopping: Promise<void> | null = null;

  constructor(options: AgentOptions) {
    this.#ctx = options.context;
    this.#log = options.context.logger.child({ component: 'daemon' });
    this.#createScheduler = options.createScheduler ?? nodeCronScheduler({ logger: options.context.logger });
    this.#now = options.now ?? options.context.now;
    this.#runOnce = options.runOnce ?? ((ctx, o) => runOnce(runDependencies(ctx), o));
    this.#resumePending =
      options.resumePending ?? ((ctx, o) => resumePendingSubmissions(runDependencies(ctx), o));
  }

  /**
   * Arms the schedule, then resumes pending submissions and runs a missed slot (when `schedule.catchUp`).
   * Resolves once that start-up work has ended (or was stopped); the schedule keeps running until `stop()`.
   */
  async start(): Promise<void> {
    if (this.#state !== 'new') throw new AgentError('internal', 'this agent was already started');
    this.#state = 'started';
    this.#armSchedule();
    const { schedule } = this.#ctx.config;
    this.#log.info(
      { cron: schedule.cron, timezone: schedule.timezone, nextRun: this.#zoned(this.nextRun()) },
      'agent started',
    );
    await this.#exclusive('start-up', () => this.#startUp());
  }

  /** An instant as the schedule's wall clock with its offset (`2024-05-01T05:00:00.000+02:00`), for logs. */
  #zoned(instant: Date | null): string | null {
    return instant === null ? null : formatWithOffset(instant.getTime(), this.#ctx.config.schedule.timezone);
  }

  /** Creates and starts the scheduler of the current config's schedule. */
  #armSchedule(): void {
    const { schedule } = this.#ctx.config;
    this.#scheduler = this.#createScheduler(
      { cron: schedule.cron, timezone: schedule.timezone, name: 'esms-scheduled-run' },
      {
        onTick: (slot) => this.#onTick(slot),
        onOverlap: (slot) =>
          this.#log.warn(
            { slot: this.#zoned(slot) },
            'scheduled run skipped: the previous run is still going',
          ),
        onMissed: (slot) =>
          this.#log.warn({ slot: this.#zoned(slot) }, 'scheduled slot missed (process busy or suspended)'),
      },
    );
    this.#scheduler.start();
  }

  /**
   * Runs on a new configuration from now on (SIGHUP, already validated by the caller): the schedule is
   * armed again from it, and the next runs use it; a run in flight finishes on the configuration it
   * started with. Returns `false` (and changes nothing) when the agent is not running.
   */
  reload(context: AgentContext): boolean {
    if (this.#state !== 'started') return false;
    const previous = this.#ctx;
    this.#scheduler?.stop();
    this.#ctx = context;
    this.#log = context.logger.child({ component: 'daemon' });
    this.#armSchedule();
    const { schedule } = context.config;
    this.#log.info(
      {
        config: context.loaded.path,
        digest: context.loaded.digest.slice(0, 12),
        previousDigest: previous.loaded.digest.slice(0, 12),
        cron: schedule.cron,
        timezone: schedule.timezone,
        nextRun: this.#zoned(this.nextRun()),
        runInFlight: this.busy,
      },
      'configuration reloaded',
    );
    return true;
  }

  /** Stops the schedule, aborts the run in flight and waits for it. Idempotent. */
  stop(): Promise<void> {
    this.#stopping ??= this.#stop();
    return this.#stopping;
  }

  /** The next scheduled slot, or `null` before `start()` / after `stop()`. */
  nextRun(): Date | null {
    return this.#state === 'started' ? (this.#scheduler?.nextRun() ?? null) : null;
  }

  /** Whether a run (or the start-up work) is in flight. */
  get busy(): boolean {
    return this.#busy !== null;
  }

  async #stop(): Promise<void> {
    if (this.#state === 'new') {
      this.#state = 'stopped';
      return;
    }
    this.#state = 'stopping';
    this.#scheduler?.stop();
    const inFlight = this.#busy;
    if (inFlight !== null) this.#log.info('stopping: interrupting the run in flight');
    this.#abort.abort();
    await inFlight;
    this.#state = 'stopped';
    this.#log.info('agent stopped');
  }

  async #startUp(): Promise<void> {
    const signal = this.#abort.signal;
    const resumed = await this.#resumePending(this.#ctx, { signal });
    if (resumed.pending > 0) this.#log.info({ ...resumed }, 'resumed the submissions left pending');
    if (signal.aborted || !this.#ctx.config.schedule.catchUp) return;
    const { config } = this.#ctx;
    const due = catchUpMeasureDate({
      rule: config.measureDate,
      timezone: config.schedule.timezone,
      now: this.#now(),
      nextRun: this.#scheduler?.nextRun() ?? null,
      runs: await listRunRecords(this.#ctx.dataDir, CATCH_UP_RUN_HISTORY),
    });
    if (due === null) return;
    this.#log.info({ measureDate: due }, 'catching up a run missed while the agent was down');
    await this.#run('catch-up', due);
  }

  async #onTick(slot: Date): Promise<void> {
    if (this.#state !== 'started') return;
    const { config } = this.#ctx;
    // The slot, not the instant the callback runs, decides the measure date.
    const measureDate = resolveMeasureDate(config.measureDate, slot, config.schedule.timezone);
    await this.#exclusive(`scheduled run ${this.#zoned(slot) ?? ''}`, () =>
      this.#run('schedule', measureDate),
    );
  }

  async #run(trigger: RunRecord['trigger'], measureDate: string): Promise<void> {
    const record = await this.#runOnce(this.#ctx, {
      trigger,
      measureDate,
      signal: this.#abort.signal,
      // Phase lines in the log (journald); a status line when run by hand on a terminal.
      progress: progressReporter({ logger: this.#ctx.logger }),
    });
    // runOnce logs its own summary line; a failure that needs a human is repeated here at error level.
    if (record.outcome === 'error' || record.outcome === 'failed') {
      this.#log.error(
        { runId: record.runId, outcome: record.outcome, error: record.error },
        'run needs attention (see esms status)',
      );
    }
  }

  /**
   * Runs `work` unless something is already in flight (then logs and skips). Never rejects: a failure is
   * logged, and the daemon waits for the next slot.
   */
  async #exclusive(label: string, work: () => Promise<void>): Promise<void> {
    if (this.#busy !== null) {
      this.#log.warn({ work: label }, 'skipped: a run is still going');
      return;
    }
    const task = work().catch((error: unknown) => this.#logFailure(label, error));
    this.#busy = task;
    try {
      await task;
    } finally {
      this.#busy = null;
    }
  }

  #logFailure(label: string, error: unknown): void {
    if (isAgentError(error) && error.code === 'run-in-progress') {
      this.#log.warn({ work: label, reason: error.message }, 'skipped: another process is running');
      return;
    }
    if (isAgentError(error) && error.code === 'aborted') return;
    this.#log.error(
      {
        work: label,
        err: isAgentError(error) ? { code: error.code, message: error.message } : String(error),
      },
      'run could not start',
    );
  }
}
