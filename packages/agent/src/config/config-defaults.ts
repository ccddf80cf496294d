/**
 * Every default of the agent's configuration, in one place, with units in the names (STYLE.md §6).
 * The zod schema applies them; `esms init` documents them; tests override them through the config.
 */

/** Config file used when neither `--config` nor `ESMS_CONFIG` names one (relative to the working directory). */
export const DEFAULT_CONFIG_FILENAME = 'esms.config.yaml';
/** Environment variable that names the config file when `--config` is not given. */
export const CONFIG_PATH_ENV = 'ESMS_CONFIG';

export const DEFAULT_TIMEZONE = 'Europe/Paris';

/** FHIR `_count` asked of the DUI's server per page. */
export const DEFAULT_SOURCE_PAGE_SIZE = 500;
export const MAX_SOURCE_PAGE_SIZE = 10_000;
/** Pages fetched in parallel from one DUI server. */
export const DEFAULT_SOURCE_CONCURRENCY = 4;
export const MAX_SOURCE_CONCURRENCY = 64;
export const DEFAULT_SOURCE_TIMEOUT_MS = 30_000;
/** Upper bound of any network timeout: a typo of three zeros should not hang a run for days. */
export const MAX_TIMEOUT_MS = 3_600_000;

/** Monthly, on the 1st at 05:00: the measure date is then the 1st of the month (indicators.md). */
export const DEFAULT_SCHEDULE_CRON = '0 5 1 * *';

export const DEFAULT_SUBMIT_TIMEOUT_MS = 30_000;
export const DEFAULT_RETRY_INITIAL_DELAY_MS = 1_000;
/** Backoff never waits more than an hour between two attempts. */
export const DEFAULT_RETRY_MAX_DELAY_MS = 3_600_000;
/** A submission is retried for three days before it is reported as past its deadline. */
export const DEFAULT_RETRY_DEADLINE_HOURS = 72;

/** An alert (webhook or command) that has not answered after this long is given up (and logged). */
export const DEFAULT_ALERT_TIMEOUT_MS = 10_000;

export const DEFAULT_DATA_DIR = './esms-data';
/** How long evidence must be kept; nothing is deleted unless `evidence.deleteExpired` is set. */
export const DEFAULT_EVIDENCE_RETENTION_YEARS = 10;
/** A time-stamping authority answers in well under a second; a slow one must not hold a run for long. */
export const DEFAULT_TIMESTAMP_TIMEOUT_MS = 10_000;

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];
export const DEFAULT_LOG_LEVEL: LogLevel = 'info';

/**
 * `esms run-once --wait` / `esms resend --wait`: how long a command run by hand or by cron keeps retrying
 * delivery before it returns (exit 75), leaving the submission queued for the daemon or the next run.
 */
export const DEFAULT_DELIVERY_WAIT = '5m';
/** The longest `--wait` accepted: a command that waits longer is a daemon (`esms start`). */
export const MAX_DELIVERY_WAIT_MS = 24 * 3_600_000;

/** `esms serve`: where it listens unless `--listen` says otherwise (loopback only). */
export const DEFAULT_SERVE_LISTEN = '127.0.0.1:8787';
/** `serve.bodyLimitBytes`: a size-M export (a few hundred MB of NDJSON) fits; a runaway client does not. */
export const DEFAULT_SERVE_BODY_LIMIT_BYTES = 1024 * 1024 * 1024;
export const MAX_SERVE_BODY_LIMIT_BYTES = 64 * 1024 * 1024 * 1024;
/** The service's token must be long enough not to be guessed (it opens person-level pages). */
export const MIN_SERVE_TOKEN_LENGTH = 16;
