import * as z from 'zod';
import { closestMatch, flattenedSecretRef } from './did-you-mean.js';
import { formatConfigKey, type ConfigProblem } from './config-problem.js';
import { isRecord } from '../shared/is-record.js';

/**
 * Parses `input` with `schema` and turns every zod issue into a `ConfigProblem` named by its dotted key,
 * with "did you mean" hints for unknown keys and misspelt values. Collects every problem in one pass:
 * nothing is applied when one is found (STYLE.md §5).
 */
export function parseWithProblems<S extends z.ZodType>(
  schema: S,
  input: unknown,
): { ok: true; value: z.output<S> } | { ok: false; problems: ConfigProblem[] } {
  // The error map sees each issue's schema instance: for unknown keys, note which keys the object knows,
  // so the hint can be computed once the final issue (with its full path) comes out.
  const knownKeysByPath = new Map<string, string[]>();
  const result = schema.safeParse(input, {
    reportInput: true,
    error: (issue) => {
      if (issue.code === 'unrecognized_keys' && issue.inst instanceof z.ZodObject) {
        knownKeysByPath.set(formatConfigKey(issue.path ?? []), Object.keys(issue.inst.shape));
      }
      return undefined;
    },
  });
  if (result.success) return { ok: true, value: result.data };
  const problems = result.error.issues.flatMap((issue) =>
    describeIssue(issue, knownKeysByPath.get(formatConfigKey(issue.path)) ?? []),
  );
  return { ok: false, problems };
}

function describeIssue(issue: z.core.$ZodIssue, knownKeys: readonly string[]): ConfigProblem[] {
  const key = formatConfigKey(issue.path);
  switch (issue.code) {
    case 'unrecognized_keys':
      return issue.keys.map((unknownKey) => ({
        key: formatConfigKey([...issue.path, unknownKey]),
        message: unknownKeyMessage(unknownKey, knownKeys),
      }));
    case 'invalid_type':
      if (issue.input === undefined) return [{ key, message: 'is required' }];
      return [
        {
          key,
          message: isDefaultMessage(issue.message)
            ? `must be ${article(issue.expected)} (found ${kindOf(issue.input)})`
            : issue.message,
        },
      ];
    case 'invalid_value':
      return [{ key, message: oneOfMessage(issue.values.map(String), issue.input) }];
    case 'invalid_union': {
      if (issue.discriminator === undefined) {
        return [
          {
            key,
            message: isDefaultMessage(issue.message) ? 'does not match any accepted form' : issue.message,
          },
        ];
      }
      const options = ('options' in issue ? (issue.options ?? []) : []).map(String);
      const given = isRecord(issue.input) ? issue.input[issue.discriminator] : undefined;
      if (given === undefined) return [{ key, message: `is required: one of ${quoteList(options)}` }];
      return [{ key, message: oneOfMessage(options, given) }];
    }
    case 'too_small':
      return [{ key, message: isDefaultMessage(issue.message) ? tooSmallMessage(issue) : issue.message }];
    case 'too_big':
      return [
        {
          key,
          message: isDefaultMessage(issue.message)
            ? `must be at most ${String(issue.maximum)}`
            : issue.message,
        },
      ];
    case 'invalid_format':
    case 'not_multiple_of':
    case 'invalid_key':
    case 'invalid_element':
    case 'custom':
      return [{ key, message: issue.message }];
  }
}

function unknownKeyMessage(unknownKey: string, knownKeys: readonly string[]): string {
  const flattened = flattenedSecretRef(unknownKey, knownKeys);
  if (flattened !== undefined) return `unknown key (did you mean ${flattened}?)`;
  const suggestion = closestMatch(unknownKey, knownKeys);
  if (suggestion !== undefined) return `unknown key (did you mean "${suggestion}"?)`;
  return knownKeys.length > 0 ? `unknown key (expected one of ${quoteList(knownKeys)})` : 'unknown key';
}

function oneOfMessage(options: readonly string[], given: unknown): string {
  const suggestion = typeof given === 'string' ? closestMatch(given, options) : undefined;
  const hint = suggestion === undefined ? '' : ` (did you mean "${suggestion}"?)`;
  return `must be one of ${quoteList(options)}${hint}`;
}

function tooSmallMessage(issue: z.core.$ZodIssueTooSmall): string {
  const minimum = String(issue.minimum);
  if (issue.origin === 'array' || issue.origin === 'set') return `needs at least ${minimum} item(s)`;
  if (issue.origin === 'string') {
    return issue.minimum === 1 ? 'must not be empty' : `must have at least ${minimum} characters`;
  }
  return `must be at least ${minimum}`;
}

/** Zod's built-in messages start this way; ours never do, so a custom message is kept as written. */
function isDefaultMessage(message: string): boolean {
  return /^(Invalid input|Invalid option|Invalid discriminator|Too small|Too big)\b/.test(message);
}

function article(expected: string): string {
  return /^[aeiou]/.test(expected) ? `an ${expected}` : `a ${expected}`;
}

function kindOf(value: unknown): string {
  if (value === null) return 'nothing (null)';
  if (Array.isArray(value)) return 'a list';
  return article(typeof value === 'object' ? 'mapping' : typeof value);
}

function quoteList(values: readonly string[]): string {
  return values.map((value) => `"${value}"`).join(', ');
}
