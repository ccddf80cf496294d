import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { describeFileError } from '../secrets/resolve-secret.js';
import { agentConfigSchema, type AgentConfig } from './agent-config-schema.js';
import { computeOptionsProblems } from './compute-options.js';
import { configDigest } from './config-digest.js';
import { parseWithProblems } from './config-issues.js';
import { ConfigInvalidError } from './config-invalid-error.js';
import { ConfigNotFoundError } from './config-not-found-error.js';
import { FILE_PROBLEM_KEY } from './config-problem.js';
import { parseConfigText } from './parse-config-text.js';
import { resolveConfigPaths } from './resolve-config-paths.js';

/** A validated config, ready to run on. */
export interface LoadedConfig {
  /** Defaults applied, every path absolute; frozen, so nothing changes it behind a run's back. */
  config: AgentConfig;
  /** Absolute path of the config file. */
  path: string;
  /** `configDigest(config)`: SHA-256 hex of its canonical JSON (no secret values: secrets are references). */
  digest: string;
}

/**
 * Reads and validates the whole config file. Throws `ConfigNotFoundError` when there is no file, and one
 * `ConfigInvalidError` listing every problem otherwise: the agent never runs on a partly valid config.
 */
export async function loadConfig(path: string): Promise<LoadedConfig> {
  const absolute = resolve(path);
  let text: string;
  try {
    text = await readFile(absolute, 'utf8');
  } catch (error) {
    const code = typeof error === 'object' && error !== null && 'code' in error ? error.code : undefined;
    if (code === 'ENOENT' || code === 'ENOTDIR') throw new ConfigNotFoundError(absolute, { cause: error });
    throw new ConfigInvalidError(
      [{ key: FILE_PROBLEM_KEY, message: `the file ${describeFileError(error)}` }],
      {
        path: absolute,
        cause: error,
      },
    );
  }
  const parsed = parseConfigText(text);
  if (!parsed.ok) throw new ConfigInvalidError(parsed.problems, { path: absolute });
  const config = validateConfig(parsed.value, dirname(absolute), absolute);
  return { config, path: absolute, digest: configDigest(config) };
}

/**
 * Validates a config object (as read from YAML or JSON, or built by an embedding program), applies the
 * defaults and resolves relative paths against `baseDir`. Throws one `ConfigInvalidError` with every problem.
 */
export function validateConfig(input: unknown, baseDir: string, path?: string): AgentConfig {
  const result = parseWithProblems(agentConfigSchema, input);
  if (!result.ok) throw new ConfigInvalidError(result.problems, { path });
  const optionProblems = computeOptionsProblems(result.value);
  if (optionProblems.length > 0) throw new ConfigInvalidError(optionProblems, { path });
  return deepFreeze(resolveConfigPaths(result.value, baseDir));
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const member of Object.values(value)) deepFreeze(member);
  }
  return value;
}
