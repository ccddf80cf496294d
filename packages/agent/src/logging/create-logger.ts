import {
  pino,
  stdTimeFunctions,
  type Bindings,
  type ChildLoggerOptions,
  type DestinationStream,
  type Logger,
  type LoggerOptions,
} from 'pino';
import type * as PinoPrettyModule from 'pino-pretty';
import { createRequire } from 'node:module';
import { Writable } from 'node:stream';
import { formatWithOffset } from '@esms-numerique/sdk';
import type { LogLevel } from '../config/config-defaults.js';
import { writeAroundStatusLine } from '../progress/status-line.js';
import { journalDestination, markStderrJson, stderrIsJournal } from './journal-stream.js';
import { logLevelOverride } from './log-level-override.js';
import { REDACTED, redactForLog, scrubString } from './redact-for-log.js';

export type LogFormat = 'auto' | 'json' | 'pretty';
export type AgentLogger = Logger;

export interface CreateLoggerOptions {
  level?: LogLevel | undefined;
  /** `json`: one JSON object per line; `pretty`: human-readable; `auto` (default): pretty on a TTY. */
  format?: LogFormat | undefined;
  /**
   * Where log lines go; standard error by default, so standard output stays for command results
   * (JSON documents that other programs read). Tests pass a stream that collects lines.
   */
  destination?: DestinationStream | NodeJS.WritableStream | undefined;
  /**
   * IANA zone of the `time` of each line (`2024-04-01T05:00:00.000+02:00`: the wall clock of the schedule,
   * with its offset, so a reader sees the hour the schedule speaks of and a machine still parses an
   * instant). Default: UTC (`…Z`).
   */
  timezone?: string | undefined;
}

/**
 * pino `redact` paths for credentials: the first levels of any logged object. `redactForLog` covers the
 * same keys at any depth; the two together mean a token logged by mistake is never written.
 */
export const REDACT_PATHS: readonly string[] = [
  'token',
  '*.token',
  'authorization',
  '*.authorization',
  'headers.authorization',
  '*.headers.authorization',
  'headers["proxy-authorization"]',
  '*.headers["proxy-authorization"]',
  'headers.cookie',
  '*.headers.cookie',
  'clientSecret',
  '*.clientSecret',
  'password',
  '*.password',
  'passphrase',
  '*.passphrase',
];

/**
 * The agent's root logger (STYLE.md §8): JSON lines by default, pino-pretty on a terminal; one `child`
 * per component (`logger.child({ component: 'submitter' })`). Every record goes through `redactForLog`
 * (names, INS/NIR, free text, credentials), message strings are scrubbed of INS/NIR-looking numbers, and
 * pino's `redact` removes credentials as a second line of defence.
 */
export function createLogger(options: CreateLoggerOptions = {}): AgentLogger {
  let destination = options.destination ?? defaultDestination();
  const pretty = usePretty(options.format ?? 'auto', destination);
  if (options.destination === undefined && !pretty) {
    // JSON lines on standard error: the journal's priority prefix under systemd, and main's last line
    // (an error that ends the command) as JSON too.
    const toJournal = stderrIsJournal();
    if (toJournal) destination = journalDestination();
    markStderrJson(toJournal);
  }
  const { timezone } = options;
  const loggerOptions: LoggerOptions = {
    // `--log-level` / ESMS_LOG_LEVEL win over the config's level (follow-up O7).
    level: logLevelOverride() ?? options.level ?? 'info',
    timestamp:
      timezone === undefined
        ? stdTimeFunctions.isoTime
        : () => `,"time":"${formatWithOffset(Date.now(), timezone)}"`,
    redact: { paths: [...REDACT_PATHS], censor: REDACTED },
    formatters: {
      // `"level":"info"`, not pino's `30`: journalctl users and log shippers filter on the label.
      level: (label) => ({ level: label }),
      log: (record) => redactForLog(record) as Record<string, unknown>,
      bindings: (bindings) => redactForLog(bindings) as Record<string, unknown>,
    },
    // `redactForLog` has already turned errors into plain, scrubbed objects.
    serializers: { err: (value: unknown) => value },
    hooks: {
      logMethod(args, method) {
        method.apply(this, scrubLogArguments(args) as Parameters<typeof method>);
      },
    },
  };
  if (!pretty) return redactChildBindings(pino(loggerOptions, destination));
  const prettyStream = loadPinoPretty()({
    destination: destination as NodeJS.WritableStream,
    colorize: isTty(destination),
    // The time is printed as written (ISO, in the configured zone when there is one), like the JSON lines.
    translateTime: false,
    ignore: 'pid,hostname',
    sync: true,
  });
  return redactChildBindings(pino(loggerOptions, prettyStream));
}

/**
 * pino-pretty (and its colour and date libraries) only for a logger that prints for a person: a command
 * whose log lines are JSON (`esms compute`, anything under systemd or in a pipe) does not pay its load at
 * start-up. A synchronous `require`, since a logger is made synchronously; pino-pretty is CommonJS.
 */
function loadPinoPretty(): typeof PinoPrettyModule.PinoPretty {
  const pinoPretty = createRequire(import.meta.url)('pino-pretty') as typeof PinoPrettyModule;
  return pinoPretty.PinoPretty;
}

/**
 * Standard error. On a terminal, lines go through `process.stderr` around the progress display's status
 * line (cleared before, drawn again after), so a log line never lands in the middle of it; elsewhere (a
 * pipe, journald) through pino's synchronous destination.
 */
function defaultDestination(): DestinationStream | NodeJS.WritableStream {
  if (!process.stderr.isTTY) return pino.destination({ fd: 2, sync: true });
  const terminal = new Writable({
    write(chunk: Buffer | string, _encoding, callback) {
      writeAroundStatusLine(() => process.stderr.write(chunk));
      callback();
    },
  });
  return Object.assign(terminal, { isTTY: true });
}

/**
 * pino applies `formatters.bindings` to the root's bindings only, not to a child's: redact those on the
 * way in. Children inherit from their parent's object, so overriding the root's methods covers every
 * descendant (`this` is the logger the call is made on).
 */
function redactChildBindings(root: Logger): Logger {
  // Taken unbound on purpose: they are re-applied below with the `this` of each call.
  const child = Reflect.get(root, 'child') as unknown as (...args: unknown[]) => Logger;
  const setBindings = Reflect.get(root, 'setBindings') as unknown as (...args: unknown[]) => void;
  const redactedChild = function (this: Logger, bindings: Bindings, options?: ChildLoggerOptions) {
    return Reflect.apply(child, this, [redactForLog(bindings), options]);
  };
  root.child = redactedChild as unknown as Logger['child'];
  root.setBindings = function (this: Logger, bindings: Bindings) {
    Reflect.apply(setBindings, this, [redactForLog(bindings)]);
  };
  return root;
}

/**
 * Arguments of a log call, made safe before pino formats them: an Error given first becomes `{ err }`
 * with a scrubbed message; the message and every interpolation value are scrubbed. The first object
 * goes through `formatters.log`.
 */
function scrubLogArguments(args: readonly unknown[]): unknown[] {
  const [first, ...rest] = args;
  if (first instanceof Error) {
    const message = rest.length > 0 ? rest : [first.message];
    return [{ err: first }, ...message.map(scrubArgument)];
  }
  if (typeof first === 'object' && first !== null) return [first, ...rest.map(scrubArgument)];
  return args.map(scrubArgument);
}

function scrubArgument(value: unknown): unknown {
  return typeof value === 'string' ? scrubString(value) : redactForLog(value);
}

function usePretty(format: LogFormat, destination: object): boolean {
  switch (format) {
    case 'json':
      return false;
    case 'pretty':
      return true;
    case 'auto':
      return isTty(destination);
  }
}

/** Whether log lines go to a terminal (standard error by default, whose TTY-ness is what matters). */
function isTty(destination: object): boolean {
  if ('isTTY' in destination) return destination.isTTY === true;
  if ('fd' in destination && typeof destination.fd === 'number')
    return destination.fd === 2 && process.stderr.isTTY;
  return false;
}
