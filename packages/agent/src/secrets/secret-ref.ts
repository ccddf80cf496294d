import * as z from 'zod';

/**
 * Where a secret lives: an environment variable or a file (its content, trimmed). The config only ever
 * holds this reference, never the secret itself, so the config file, its digest and the evidence stay
 * free of credentials (contract.md §1: secrets are never command-line arguments either).
 */
export type SecretRef = { env: string } | { file: string };

const ENV_NAME_PATTERN = /^[A-Za-z_][A-Za-z0-9_]*$/;

const SECRET_SHAPE_MESSAGE =
  'must be a reference to a secret, { env: VARIABLE_NAME } or { file: ./path/to/file }, never the secret itself';

/** Zod schema of a `SecretRef`: exactly one of `env` or `file`. */
export const secretRefSchema = z
  .strictObject(
    {
      env: z
        .string({ error: 'must be the name of an environment variable' })
        .regex(ENV_NAME_PATTERN, { error: 'must be an environment variable name (letters, digits, _)' })
        .optional(),
      file: z.string({ error: 'must be a path' }).min(1, { error: 'must not be empty' }).optional(),
    },
    { error: (issue) => (issue.code === 'invalid_type' ? SECRET_SHAPE_MESSAGE : undefined) },
  )
  .check((ctx) => {
    if ((ctx.value.env === undefined) === (ctx.value.file === undefined)) {
      ctx.issues.push({
        code: 'custom',
        input: ctx.value,
        message: `needs exactly one of env or file (${SECRET_SHAPE_MESSAGE})`,
      });
    }
  })
  .transform((value): SecretRef =>
    value.env !== undefined ? { env: value.env } : { file: value.file ?? '' },
  );

/** A short, value-free description of where a secret is expected (`environment variable DUI_TOKEN`). */
export function describeSecretRef(ref: SecretRef): string {
  return 'env' in ref ? `environment variable ${ref.env}` : `file ${ref.file}`;
}
