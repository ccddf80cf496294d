/**
 * SIGINT and SIGTERM, handled once for the whole process (STYLE.md §7), from the first line of `main`:
 * whatever instant a signal arrives at, the process ends with the conventional code 128 + the signal's
 * number (130 for SIGINT, 143 for SIGTERM), which is also what a shell reports for a process a signal
 * killed. Before a verb has taken over the signals (config still loading, nothing written yet) the
 * process exits at once; a verb that stops cleanly (`run-once`, `start`, `resend`) takes them over and
 * gets an AbortSignal instead, and a second signal then ends the process at once.
 */
export const STOP_SIGNALS = ['SIGINT', 'SIGTERM'] as const;
export type StopSignal = (typeof STOP_SIGNALS)[number];

/** 128 + the signal number (POSIX shells, systemd, Docker). */
export const EXIT_CODE_BY_SIGNAL: Readonly<Record<StopSignal, number>> = { SIGINT: 130, SIGTERM: 143 };

export interface StopRequest {
  /** Aborts at the first signal. */
  signal: AbortSignal;
  /** The signal received, or `null`. */
  received(): StopSignal | null;
}

interface State {
  controller: AbortController;
  received: StopSignal | null;
  takenOver: boolean;
  listeners: Array<(signal: StopSignal) => void>;
  forced: Array<(signal: StopSignal) => void>;
}

let state: State | null = null;

/** Registers the process's handlers (once; later calls do nothing). */
export function installStopSignals(exit: (code: number) => never = (code) => process.exit(code)): void {
  if (state !== null) return;
  const current: State = {
    controller: new AbortController(),
    received: null,
    takenOver: false,
    listeners: [],
    forced: [],
  };
  state = current;
  for (const name of STOP_SIGNALS) {
    process.on(name, () => {
      if (current.received !== null) for (const listener of current.forced) listener(name);
      if (current.received !== null || !current.takenOver) exit(EXIT_CODE_BY_SIGNAL[name]);
      current.received = name;
      current.controller.abort();
      for (const listener of current.listeners) listener(name);
    });
  }
}

/**
 * For a verb that stops cleanly: from now on the first signal aborts `signal` (and calls `onStop`)
 * instead of ending the process. Without `installStopSignals` (tests calling the verb's code), the
 * signal is never aborted by the process.
 */
export function takeOverStopSignals(
  hooks: {
    onStop?: (signal: StopSignal) => void;
    /** Called just before a second signal ends the process. */
    onForcedExit?: (signal: StopSignal) => void;
  } = {},
): StopRequest {
  if (state === null) {
    const idle = new AbortController();
    return { signal: idle.signal, received: () => null };
  }
  const current = state;
  current.takenOver = true;
  if (hooks.onStop !== undefined) current.listeners.push(hooks.onStop);
  if (hooks.onForcedExit !== undefined) current.forced.push(hooks.onForcedExit);
  return { signal: current.controller.signal, received: () => current.received };
}

/** The exit code for a process stopped by a signal, or `null` when none was received. */
export function stopExitCode(): number | null {
  return state?.received == null ? null : EXIT_CODE_BY_SIGNAL[state.received];
}
