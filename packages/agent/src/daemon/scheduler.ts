/**
 * The scheduler behind the agent (STYLE.md §2): a tiny interface so the daemon can be tested with an
 * injected one, and node-cron stays at the edge (`node-cron-scheduler.ts`).
 */

/** What to schedule: a cron expression read on the wall clock of an explicit time zone. */
export interface ScheduleSpec {
  cron: string;
  /** IANA zone (`Europe/Paris`, `Indian/Reunion`): "05:00" is 05:00 there, DST included. */
  timezone: string;
  /** For logs. */
  name: string;
}

export interface SchedulerHandlers {
  /** A due slot. The returned promise is awaited: a tick while it is pending is an overlap, not a second run. */
  onTick(slot: Date): Promise<void>;
  /** A slot that came while the previous run was still going: skipped, never doubled. */
  onOverlap?(slot: Date): void;
  /** A slot the process was too busy (or asleep) to honour on time. */
  onMissed?(slot: Date): void;
}

export interface Scheduler {
  start(): void;
  /** Stops arming new ticks; a tick in progress is not interrupted (the agent aborts its run). */
  stop(): void;
  /** The next due slot from now, or `null` when the expression never matches again. */
  nextRun(): Date | null;
}

export type CreateScheduler = (spec: ScheduleSpec, handlers: SchedulerHandlers) => Scheduler;
