/**
 * One problem found in the config: the dotted key with array indices (`sources[0].auth.token`) and a
 * message for the person editing the file. Never holds a secret value.
 */
export interface ConfigProblem {
  key: string;
  message: string;
}

/** Key used for problems about the file as a whole (unreadable, not YAML, empty). */
export const FILE_PROBLEM_KEY = '(file)';
/** Key used for problems about the top level of the document (not a mapping). */
export const ROOT_PROBLEM_KEY = '(root)';

/** `sources[0].auth.token` from `['sources', 0, 'auth', 'token']`. */
export function formatConfigKey(path: readonly PropertyKey[]): string {
  let key = '';
  for (const segment of path) {
    if (typeof segment === 'number') key += `[${segment}]`;
    else key += key === '' ? String(segment) : `.${String(segment)}`;
  }
  return key === '' ? ROOT_PROBLEM_KEY : key;
}

/** One `key: message` line per problem, in the order given. */
export function formatProblemLines(problems: readonly ConfigProblem[]): string {
  return problems.map((problem) => `${problem.key}: ${problem.message}`).join('\n');
}
