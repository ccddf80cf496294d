import { Option, type Command } from 'commander';
import { configWarnings } from '../config/config-warnings.js';
import { isConfigInvalidError } from '../config/config-invalid-error.js';
import { isConfigNotFoundError } from '../config/config-not-found-error.js';
import { resolveConfigPath } from '../config/config-path.js';
import { FILE_PROBLEM_KEY, formatProblemLines, type ConfigProblem } from '../config/config-problem.js';
import { loadConfig } from '../config/load-config.js';
import { checkSecrets } from '../secrets/check-secrets.js';
import { SecretMissingError } from '../secrets/secret-missing-error.js';

/** Where the command writes (the process's streams in the CLI; buffers in tests). */
interface CommandOutput {
  write(text: string): unknown;
}

export interface ValidateConfigOptions {
  config?: string | undefined;
  format?: 'text' | 'json' | undefined;
  /** Do not check that secrets and credential files can be read (a config checked away from its machine). */
  skipSecrets?: boolean | undefined;
}

/** The `--format json` document: stable keys, for scripts and CI. */
export interface ValidateConfigReport {
  valid: boolean;
  path: string;
  /** SHA-256 of the parsed config (as recorded in evidence), or `null` when it does not validate. */
  digest: string | null;
  problems: ConfigProblem[];
  warnings: ConfigProblem[];
}

/**
 * `esms validate-config`: validates the whole file and reports every problem at once, each as
 * `key: message`. Then checks that every secret the config names can be read now: a missing secret is an
 * error (a run would fail on it), unless `--skip-secrets`. Warnings (probable mistakes that do not stop
 * the agent) go to standard error and never fail the command.
 * Failing, it throws `ConfigInvalidError`, `ConfigNotFoundError` or `SecretMissingError` (exit 3), whose
 * message lists the problems; with `--format json` the report is also printed on standard output.
 */
export async function runValidateConfig(
  options: ValidateConfigOptions,
  io: { stdout: CommandOutput; stderr: CommandOutput },
): Promise<ValidateConfigReport> {
  const path = resolveConfigPath(options.config);
  const json = options.format === 'json';
  let loaded;
  try {
    loaded = await loadConfig(path);
  } catch (error) {
    if (json && (isConfigInvalidError(error) || isConfigNotFoundError(error))) {
      const problems = isConfigInvalidError(error)
        ? [...error.problems]
        : [{ key: FILE_PROBLEM_KEY, message: error.message }];
      writeJson(io.stdout, { valid: false, path, digest: null, problems, warnings: [] });
    }
    throw error;
  }
  const problems = options.skipSecrets === true ? [] : await checkSecrets(loaded.config);
  const warnings = await configWarnings(loaded.config);
  const report: ValidateConfigReport = {
    valid: problems.length === 0,
    path: loaded.path,
    digest: problems.length === 0 ? loaded.digest : null,
    problems,
    warnings,
  };
  if (json) writeJson(io.stdout, report);
  else if (warnings.length > 0)
    io.stderr.write(`${prefixLines(formatProblemLines(warnings), 'warning: ')}\n`);
  if (problems.length > 0) throw new SecretMissingError(problems);
  if (!json) io.stdout.write(`config OK (${loaded.path}, digest ${loaded.digest.slice(0, 12)})\n`);
  return report;
}

function writeJson(stdout: CommandOutput, report: ValidateConfigReport): void {
  stdout.write(`${JSON.stringify(report, null, 2)}\n`);
}

function prefixLines(text: string, prefix: string): string {
  return text
    .split('\n')
    .map((line) => `${prefix}${line}`)
    .join('\n');
}

/** `esms validate-config [--config FILE] [--format text|json] [--skip-secrets]` (contract.md §1). */
export function registerValidateConfigCommand(program: Command): void {
  program
    .command('validate-config')
    .description(
      'report every config problem at once, naming each key; check that the secrets it names are there',
    )
    .option('--config <file>', 'config file (default: $ESMS_CONFIG, else ./esms.config.yaml)')
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'json']).default('text'))
    .option('--skip-secrets', 'do not check that secrets and credential files can be read')
    .action(async (options: ValidateConfigOptions) => {
      await runValidateConfig(options, { stdout: process.stdout, stderr: process.stderr });
    });
}
