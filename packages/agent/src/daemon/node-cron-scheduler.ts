import { createTask, type Logger as CronLogger } from 'node-cron';
import type { AgentLogger } from '../logging/create-logger.js';
import { SCHEDULE_MISSED_TOLERANCE_MS } from './daemon-timings.js';
import type { CreateScheduler, Scheduler, ScheduleSpec, SchedulerHandlers } from './scheduler.js';

export interface NodeCronSchedulerOptions {
  /** node-cron's own messages go here instead of the console. */
  logger?: AgentLogger | undefined;
  missedToleranceMs?: number | undefined;
}

/**
 * The production scheduler: one node-cron task in the schedule's time zone, with `noOverlap` so a tick
 * while the previous run is still going is reported (`onOverlap`) and skipped.
 */
export function nodeCronScheduler(options: NodeCronSchedulerOptions = {}): CreateScheduler {
  return (spec: ScheduleSpec, handlers: SchedulerHandlers): Scheduler => {
    const task = createTask(spec.cron, (context) => handlers.onTick(context.date), {
      timezone: spec.timezone,
      name: spec.name,
      noOverlap: true,
      missedExecutionTolerance: options.missedToleranceMs ?? SCHEDULE_MISSED_TOLERANCE_MS,
      // Our own handlers log overlaps and missed slots; node-cron stays quiet about them.
      suppressMissedWarning: true,
      logger: cronLogger(options.logger),
    });
    task.on('execution:overlap', (context) => handlers.onOverlap?.(context.date));
    task.on('execution:missed', (context) => handlers.onMissed?.(context.date));
    return {
      start: () => void task.start(),
      stop: () => void task.destroy(),
      nextRun: () => task.getNextRuns(1)[0] ?? null,
    };
  };
}

/**
 * The next due slot of a schedule from now, computed by node-cron without starting anything (for
 * `esms status`).
 */
export function nextScheduledRun(spec: Pick<ScheduleSpec, 'cron' | 'timezone'>): Date | null {
  const task = createTask(spec.cron, () => undefined, { timezone: spec.timezone, name: 'esms-next-run' });
  try {
    return task.getNextRuns(1)[0] ?? null;
  } finally {
    // Removes it from node-cron's registry; it was never started, so no timer exists.
    void task.destroy();
  }
}

function cronLogger(logger: AgentLogger | undefined): CronLogger {
  const log = logger?.child({ component: 'scheduler' });
  const text = (message: string | Error): string => (message instanceof Error ? message.message : message);
  return {
    info: (message) => log?.debug(text(message)),
    warn: (message) => log?.warn(text(message)),
    error: (message) => log?.error(text(message)),
    debug: (message) => log?.debug(text(message)),
  };
}
