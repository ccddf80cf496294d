import { resolve } from 'node:path';
import { CONFIG_PATH_ENV, DEFAULT_CONFIG_FILENAME } from './config-defaults.js';

/**
 * The config file to use: `--config FILE` first, then the `ESMS_CONFIG` environment variable, then
 * `./esms.config.yaml`; made absolute against the working directory.
 */
export function resolveConfigPath(
  flag: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
  cwd: string = process.cwd(),
): string {
  const fromEnv = env[CONFIG_PATH_ENV];
  const chosen = flag ?? (fromEnv !== undefined && fromEnv !== '' ? fromEnv : DEFAULT_CONFIG_FILENAME);
  return resolve(cwd, chosen);
}
