import * as z from 'zod';
import { secretRefSchema } from '../secrets/secret-ref.js';
import { DEFAULT_ALERT_TIMEOUT_MS, MAX_TIMEOUT_MS } from './config-defaults.js';
import { httpUrlSchema, positiveIntSchema } from './schema-primitives.js';

/**
 * Who is told when a run fails or a submission is kept as failed (refused by the ARS, or overdue at its
 * retry deadline): a webhook (an HTTP POST of a JSON document) and/or a command (the same document on its
 * standard input). Both optional; the document holds aggregates only (see `alerts/alert-payload.ts`).
 */
export const alertsSchema = z.strictObject({
  webhook: z
    .strictObject({
      /** POSTed `application/json`; any 2xx answer is a success. */
      url: httpUrlSchema,
      /** Sent as `Authorization: Bearer …` when set. */
      token: secretRefSchema.optional(),
      /** `null`: the HTTPS_PROXY / HTTP_PROXY / NO_PROXY environment variables. */
      proxy: httpUrlSchema.nullable().default(null),
    })
    .nullable()
    .default(null),
  /**
   * A program and its arguments, run without a shell (`["/usr/local/bin/notify", "--to", "it"]`); a
   * relative program path is taken from the config file's directory. Exit 0 is a success.
   */
  command: z
    .array(z.string({ error: 'must be a string' }).min(1, { error: 'must not be empty' }), {
      error: 'must be a list: the program, then its arguments',
    })
    .min(1, { error: 'must name the program to run' })
    .nullable()
    .default(null),
  /**
   * Environment variables the command is given besides the few every program expects (PATH, HOME, LANG,
   * LC_*, TZ, USER, LOGNAME, TMPDIR) and ESMS_ALERT_EVENT. The command never gets the rest of the agent's
   * environment, and never a variable the config names as a secret, even if listed here.
   */
  commandEnv: z
    .array(
      z.string({ error: 'must be an environment variable name' }).regex(/^[A-Za-z_][A-Za-z0-9_]*$/, {
        error: 'must be an environment variable name (letters, digits, _)',
      }),
      { error: 'must be a list of environment variable names' },
    )
    .default([]),
  /** Each alert (webhook, command) is given up after this long. */
  timeoutMs: positiveIntSchema(MAX_TIMEOUT_MS).default(DEFAULT_ALERT_TIMEOUT_MS),
});

export type AlertsConfig = z.output<typeof alertsSchema>;
