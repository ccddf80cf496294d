import { isValidTimezone, isWellFormedFiness } from '@esms-numerique/sdk';
import { validate as isValidCron, validateDetailed as explainCron } from 'node-cron';
import * as z from 'zod';

/**
 * Small reusable zod schemas for the config: each carries its own message, written for the person
 * editing the YAML file (never echoing a value that could be a secret).
 */

/**
 * A FINESS géographique, checked with the SDK's own rule (9 characters: department, 2 digits or `2A`/`2B`,
 * then 7 digits). A bare YAML number would lose its leading zero (`010…`), so it must be quoted.
 */
export const finessSchema = z
  .string({
    error:
      'must be a quoted string of 9 characters ("970400024"): unquoted, YAML reads a number and drops leading zeros',
  })
  .refine(isWellFormedFiness, {
    error: 'must be a FINESS number: 9 characters, 2 digits (or 2A/2B) then 7 digits',
  });

/** An IANA time zone this runtime knows (`Europe/Paris`, `Indian/Reunion`). */
export const timeZoneSchema = z.string().refine((zone) => zone !== '' && isValidTimezone(zone), {
  error: 'must be an IANA time zone such as "Europe/Paris" or "Indian/Reunion"',
});

/** A calendar date `YYYY-MM-DD` that exists (2023-02-29 does not). */
export const localDateSchema = z.iso.date({ error: 'must be a calendar date written YYYY-MM-DD' });

/**
 * An http(s) URL without credentials: user:password@ in a URL would put a secret in the config file, in
 * its digest and in the evidence. Secrets go through `{ env }` or `{ file }` references.
 */
export const httpUrlSchema = z
  .string({ error: 'must be an http(s) URL' })
  .refine(
    (value) => {
      const url = URL.canParse(value) ? new URL(value) : null;
      return url !== null && (url.protocol === 'https:' || url.protocol === 'http:');
    },
    { error: 'must be an http(s) URL (https://host/path)', abort: true },
  )
  .refine(
    (value) => {
      const url = new URL(value);
      return url.username === '' && url.password === '';
    },
    {
      error:
        'must not contain credentials (user:password@): use the auth section with an env or file reference',
    },
  );

/** A cron expression as node-cron reads it (5 fields, or 6 with seconds first). */
export const cronSchema = z.string().check((ctx) => {
  if (isValidCron(ctx.value)) return;
  const reasons = explainCron(ctx.value).errors.map((error) => error.message);
  ctx.issues.push({
    code: 'custom',
    input: ctx.value,
    message: `must be a cron expression ("0 5 1 * *" = 05:00 on the 1st of each month)${
      reasons.length > 0 ? `: ${reasons.join('; ')}` : ''
    }`,
  });
});

/** A positive integer with an upper bound, with the message naming both bounds. */
export function positiveIntSchema(max: number): z.ZodNumber {
  return z
    .number({ error: 'must be a whole number' })
    .int({ error: 'must be a whole number' })
    .min(1, { error: 'must be at least 1' })
    .max(max, { error: `must be at most ${max}` });
}

/** A non-empty path (a file or directory); relative paths are resolved against the config file's directory. */
export const pathSchema = z
  .string({ error: 'must be a path (a string)' })
  .min(1, { error: 'must not be empty' });
