/**
 * The agent's typed errors (ky/trpc style): one base class with a `code` from a closed union, one small
 * subclass per failure a caller handles differently, and `isAgentError` guards. Third-party errors
 * (fhir-kit-client's plain-object rejections, axios errors, fs errors) are wrapped at the edge with `cause`.
 */
export type AgentErrorCode =
  | 'usage'
  | 'config-not-found'
  | 'config-invalid'
  | 'config-exists'
  | 'secret-missing'
  | 'input-unreadable'
  | 'input-incomplete'
  | 'nothing-computed'
  | 'source-http'
  | 'source-auth'
  | 'source-invalid-response'
  | 'submission-transient'
  | 'submission-permanent'
  | 'submission-deadline'
  | 'submission-pending'
  | 'outbox-corrupt'
  | 'evidence-io'
  /** A run found no signing key where the config's data directory says: it never makes one itself. */
  | 'evidence-keys-missing'
  | 'evidence-invalid'
  | 'nothing-sealed'
  | 'report-failed'
  | 'run-in-progress'
  | 'aborted'
  | 'internal';

/**
 * Process exit code for each error code: 2 is bad usage (contract.md §1), 1 a generic failure; the README
 * lists them all ("Exit codes").
 */
export const EXIT_CODE_BY_ERROR: Readonly<Record<AgentErrorCode, number>> = {
  usage: 2,
  'config-not-found': 3,
  'config-invalid': 3,
  /** `esms init` refuses to overwrite an existing config without `--force`. */
  'config-exists': 1,
  'secret-missing': 3,
  'input-unreadable': 1,
  /** A FHIR search that stopped before its end (indicators.md, `input-incomplete`): nothing is sent. */
  'input-incomplete': 1,
  'nothing-computed': 1,
  'source-http': 1,
  'source-auth': 1,
  'source-invalid-response': 1,
  'submission-transient': 1,
  'submission-permanent': 1,
  'submission-deadline': 1,
  /**
   * `run-once`/`resend` stopped waiting for the ARS (`--wait`): sealed and queued, still to be delivered by
   * the daemon or the next run. 75 is sysexits' EX_TEMPFAIL ("try again later"), which cron wrappers and
   * schedulers know.
   */
  'submission-pending': 75,
  'outbox-corrupt': 1,
  'evidence-io': 1,
  /** Configuration: `dataDir` does not point at the store `esms init` made (or init was never run). */
  'evidence-keys-missing': 3,
  'evidence-invalid': 4,
  /** `verify`/`report` on a store where no run is sealed yet: nothing to check, nothing to sign. */
  'nothing-sealed': 6,
  'report-failed': 1,
  'run-in-progress': 5,
  /** Stopped by a signal: main uses 128 + the signal's number (130 SIGINT, 143 SIGTERM); this is a fallback. */
  aborted: 130,
  internal: 1,
};

export class AgentError extends Error {
  override readonly name: string = 'AgentError';
  readonly code: AgentErrorCode;

  constructor(code: AgentErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}

export function isAgentError(value: unknown): value is AgentError {
  return value instanceof AgentError;
}

/**
 * Bad command-line usage: exit 2 with the usage text. A value that is well formed but names nothing in the
 * data (an unknown FINESS, a D with no sealed run) is also exit 2, with the message alone
 * (`showUsage: false`): the usage would bury the one line that says what exists.
 */
export class UsageError extends AgentError {
  override readonly name = 'UsageError';
  readonly showUsage: boolean;
  constructor(message: string, options: { showUsage?: boolean } = {}) {
    super('usage', message);
    this.showUsage = options.showUsage ?? true;
  }
}
