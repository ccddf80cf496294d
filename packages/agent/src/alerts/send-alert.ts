import { spawn } from 'node:child_process';
import type { AlertsConfig } from '../config/alerts-schema.js';
import { describeNetworkFailure } from '../http/network-failure.js';
import { redactUrl } from '../http/redact-url.js';
import { resolveSecret } from '../secrets/resolve-secret.js';
import type { AlertPayload } from './alert-payload.js';

/** Tells the configured receivers of an alert. Never rejects: a failed alert is logged, the run goes on. */
export type AlertSender = (payload: AlertPayload) => Promise<void>;

export interface AlertLogger {
  info(details: object, message: string): void;
  error(details: object, message: string): void;
}

/** Bytes of an alert command's standard error kept for the log line when it fails. */
const COMMAND_STDERR_KEPT_BYTES = 500;

/** What every program expects to find in its environment: the only variables an alert command inherits. */
export const ALERT_COMMAND_BASE_ENV: readonly string[] = [
  'PATH',
  'HOME',
  'LANG',
  'LANGUAGE',
  'TZ',
  'USER',
  'LOGNAME',
  'TMPDIR',
];

/**
 * The environment of the alert command (follow-up O1): the base variables, the locale's `LC_*`, those the
 * config's `alerts.commandEnv` lists, and `ESMS_ALERT_EVENT`; never a variable the config names as a secret
 * (`secretEnvNames`), so that a notification script cannot leak the DUI's or the ARS's credentials.
 */
export function alertCommandEnv(
  environment: NodeJS.ProcessEnv,
  allowed: readonly string[],
  secretEnvNames: ReadonlySet<string>,
  event: string,
): NodeJS.ProcessEnv {
  const wanted = new Set([...ALERT_COMMAND_BASE_ENV, ...allowed]);
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(environment)) {
    if (value === undefined || secretEnvNames.has(name)) continue;
    if (wanted.has(name) || name.startsWith('LC_')) env[name] = value;
  }
  env['ESMS_ALERT_EVENT'] = event;
  return env;
}

/**
 * The sender of the config's `alerts`, or `undefined` when none is configured. `secretEnvNames`: the
 * environment variables the config names as secrets (`{ env: NAME }`), kept from the alert command.
 */
export function alertSenderFromConfig(
  alerts: AlertsConfig,
  logger: AlertLogger,
  secretEnvNames: ReadonlySet<string> = new Set(),
): AlertSender | undefined {
  const { webhook, command, timeoutMs } = alerts;
  if (webhook === null && command === null) return undefined;
  return async (payload) => {
    const body = JSON.stringify(payload);
    const attempt = async (via: 'webhook' | 'command', send: () => Promise<void>): Promise<void> => {
      try {
        await send();
        logger.info({ event: payload.event, via }, 'alert sent');
      } catch (error) {
        logger.error(
          { event: payload.event, via, reason: error instanceof Error ? error.message : String(error) },
          'alert could not be sent',
        );
      }
    };
    await Promise.all([
      webhook === null ? undefined : attempt('webhook', () => postWebhook(webhook, body, timeoutMs)),
      command === null
        ? undefined
        : attempt('command', () =>
            runAlertCommand(
              command,
              body,
              alertCommandEnv(process.env, alerts.commandEnv, secretEnvNames, payload.event),
              timeoutMs,
            ),
          ),
    ]);
  };
}

async function postWebhook(
  webhook: NonNullable<AlertsConfig['webhook']>,
  body: string,
  timeoutMs: number,
): Promise<void> {
  const url = new URL(webhook.url);
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (webhook.token !== undefined) {
    headers['authorization'] = `Bearer ${await resolveSecret(webhook.token, 'alerts.webhook.token')}`;
  }
  // Loaded when a webhook is called (undici): a run that alerts nobody never needs it.
  const [{ fetch }, { createFetchDispatcher }] = await Promise.all([
    import('undici'),
    import('../http/fetch-dispatcher.js'),
  ]);
  const dispatcher = createFetchDispatcher(url, { proxy: webhook.proxy ?? undefined });
  try {
    const response = await fetch(url, {
      method: 'POST',
      headers,
      body,
      dispatcher,
      signal: AbortSignal.timeout(timeoutMs),
    });
    // The body is not ours to log; reading it frees the connection.
    await response.arrayBuffer().catch(() => undefined);
    if (!response.ok) throw new Error(`${redactUrl(webhook.url)} answered HTTP ${response.status}`);
  } catch (error) {
    if (error instanceof Error && /answered HTTP/.test(error.message)) throw error;
    const timedOut = error instanceof Error && error.name === 'TimeoutError';
    throw new Error(
      `${redactUrl(webhook.url)}: ${timedOut ? `no answer within ${timeoutMs} ms` : describeNetworkFailure(error).description}`,
      { cause: error },
    );
  } finally {
    await dispatcher.close();
  }
}

/** Runs the alert program (no shell) with the payload on its standard input; exit 0 is a success. */
function runAlertCommand(
  command: readonly string[],
  body: string,
  env: NodeJS.ProcessEnv,
  timeoutMs: number,
): Promise<void> {
  const [program, ...args] = command;
  if (program === undefined) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const child = spawn(program, args, {
      stdio: ['pipe', 'ignore', 'pipe'],
      env,
    });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr = (stderr + chunk).slice(-COMMAND_STDERR_KEPT_BYTES);
    });
    const timer = setTimeout(() => child.kill('SIGTERM'), timeoutMs);
    child.once('error', (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      reject(new Error(`${program}: ${error.code ?? error.message}`, { cause: error }));
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve();
      else
        reject(
          new Error(
            `${program} ${signal === null ? `exited ${String(code)}` : `was stopped (${signal}, after ${timeoutMs} ms?)`}${stderr.trim() === '' ? '' : `: ${stderr.trim()}`}`,
          ),
        );
    });
    // A program that does not read its input must not fail the alert with EPIPE.
    child.stdin.on('error', () => undefined);
    child.stdin.end(body);
  });
}
