import { parseDocument } from 'yaml';
import { FILE_PROBLEM_KEY, type ConfigProblem } from './config-problem.js';

/** YAML anchors may be used, but not to blow a small file up into a huge document. */
const MAX_YAML_ALIAS_COUNT = 100;

/**
 * Reads the text of a config file, YAML or JSON (JSON is YAML 1.2). Duplicate keys are errors: the second
 * would otherwise silently win. Syntax errors name the line and column but never quote the file's text,
 * which might hold a secret pasted by mistake.
 */
export function parseConfigText(
  text: string,
): { ok: true; value: unknown } | { ok: false; problems: ConfigProblem[] } {
  const document = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  if (document.errors.length > 0) {
    // Every duplicate key is a problem of its own; a syntax error is followed by the parser's confusion
    // about everything after it (follow-up F11: one missing bracket gave 24 problems): the first is said,
    // with how many follow from it.
    const duplicates = document.errors.filter((error) => error.code === 'DUPLICATE_KEY');
    const syntax = document.errors.filter((error) => error.code !== 'DUPLICATE_KEY');
    const text = (error: (typeof document.errors)[number]): string =>
      `not valid YAML: ${(error.message.split('\n')[0] ?? error.code).replace(/:$/, '')}`;
    const first = syntax[0];
    return {
      ok: false,
      problems: [
        ...(first === undefined
          ? []
          : [
              {
                key: FILE_PROBLEM_KEY,
                message:
                  syntax.length === 1
                    ? text(first)
                    : `${text(first)} (and ${syntax.length - 1} more syntax error(s) after it, which usually follow from this one: fix it first)`,
              },
            ]),
        ...duplicates.map((error) => ({ key: FILE_PROBLEM_KEY, message: text(error) })),
      ],
    };
  }
  const value: unknown = document.toJS({ maxAliasCount: MAX_YAML_ALIAS_COUNT });
  if (value === null || value === undefined) {
    return {
      ok: false,
      problems: [
        { key: FILE_PROBLEM_KEY, message: 'the file is empty (`esms init` writes a commented example)' },
      ],
    };
  }
  return { ok: true, value };
}
