import { Option, type Command } from 'commander';
import { isSdkError, resolveOptions, SdkOptionsError, type ComputeOptions } from '@esms-numerique/sdk';
import { formatExplanation, formatResultsTable } from '../compute/format-table.js';
import {
  CONFIG_OPTION_KEYS,
  computeOptionsFromConfig,
  optionProblems,
  type OptionKeys,
} from '../config/compute-options.js';
import type { LogLevel } from '../config/config-defaults.js';
import { AgentError, UsageError } from '../errors.js';
import { createLogger } from '../logging/create-logger.js';
import { progressReporter } from '../progress/progress-reporter.js';
import { computeFromSources } from '../runner/compute-from-source.js';
import { createFileSource } from '../sources/file-source.js';

interface ComputeFlags {
  input: string[];
  measureDate: string;
  config?: string;
  format?: 'json' | 'table';
  explain?: string;
  denominatorScope?: 'period' | 'calendar-year';
  countCancelledEvents?: boolean;
  finessMode?: 'lenient' | 'strict';
  timezone?: string[];
  projectStartDate?: string;
  allCarePlansArePp?: boolean;
  threads?: number;
  progress: boolean;
}

/** `esms compute` (contract.md §1): read files, compute, print the results document. */
export function registerComputeCommand(program: Command): void {
  program
    .command('compute')
    .description(
      'compute the indicators from FHIR files (NDJSON, Bulk Data export directories, JSON Bundles or resources)',
    )
    .requiredOption('--input <path...>', 'files or directories to read')
    .requiredOption(
      '--measure-date <YYYY-MM-DD>',
      'measurement date D (local date; P is the 3 months before)',
    )
    .option('--config <file>', 'take the computation options and time-zone overrides from this config file')
    .addOption(
      new Option('--format <format>', 'output format (default: table on a terminal, else json)').choices([
        'json',
        'table',
      ]),
    )
    .option('--explain <finess>', 'show, for one ESSMS, who is in each denominator and numerator and why')
    .addOption(
      new Option('--denominator-scope <scope>', 'persons accompanied in P, or in the calendar year').choices([
        'period',
        'calendar-year',
      ]),
    )
    .option('--no-count-cancelled-events', 'do not count cancelled agenda events')
    .addOption(
      new Option('--finess-mode <mode>', 'strict: a failing FINESS key excludes the ESSMS').choices([
        'lenient',
        'strict',
      ]),
    )
    .option('--timezone <finess=zone...>', 'time zone override for an ESSMS (e.g. 980500001=Indian/Mayotte)')
    .option('--project-start-date <YYYY-MM-DD>', 'start of the project, for the cumulative e-parcours count')
    .option('--all-care-plans-are-pp', 'treat every CarePlan as a projet personnalisé')
    .option(
      '--threads <n>',
      'reader threads for the files (default: one per 128 MiB of input, at most one per core and 4)',
      parsePositiveInt,
    )
    .option(
      '--no-progress',
      'no progress on standard error (a status line on a terminal, else JSON phase lines)',
    )
    .action(async (flags: ComputeFlags, command: Command) => {
      const { options, logging, timezonesFrom } = await computeOptions(flags, command);
      // Options the SDK refuses are bad usage, told before any logger exists: like a config or commander
      // error, a plain line and the verb's usage, never a JSON log line (a logger marks standard error JSON).
      try {
        resolveOptions(options);
      } catch (error) {
        if (error instanceof SdkOptionsError) throw new UsageError(optionsErrorMessage(error, timezonesFrom));
        throw error;
      }
      // Progress goes to standard error only: standard output holds the results document.
      const progress = progressReporter({
        mode: flags.progress ? 'auto' : 'none',
        logger: createLogger({ ...logging, format: 'json' }),
      });
      let outcome;
      try {
        // For display: an input that could not be read to its end is shown in the document's data quality
        // (input-incomplete) with the figures of what was read; only a run that seals refuses it.
        outcome = await computeFromSources([createFileSource({ paths: flags.input })], options, {
          readerThreads: flags.threads,
          progress,
          incompleteInput: 'report',
        });
      } catch (error) {
        if (isSdkError(error)) throw new UsageError(error.message);
        throw error;
      }
      const { results, subjects } = outcome.computation;
      const format = flags.format ?? (process.stdout.isTTY ? 'table' : 'json');
      if (flags.explain !== undefined) {
        const explanation = subjects.find((s) => s.finess === flags.explain);
        if (explanation === undefined) {
          throw new AgentError('nothing-computed', `no reported ESSMS has FINESS ${flags.explain}`);
        }
        process.stdout.write(
          format === 'json'
            ? `${JSON.stringify(explanation, null, 2)}\n`
            : formatExplanation(explanation, results.denominatorScope),
        );
      } else {
        process.stdout.write(
          format === 'json' ? `${JSON.stringify(results, null, 2)}\n` : formatResultsTable(results),
        );
      }
      if (outcome.incomplete.length > 0) {
        process.stderr.write(
          `esms: ${outcome.incomplete.length} input(s) could not be read to their end (input-incomplete in the data quality): ` +
            `the figures are those of what was read, and run-once would refuse them\n`,
        );
      }
      if (results.establishments.length === 0) {
        process.stderr.write(
          `esms: nothing could be computed: no ESSMS recognised in ${outcome.recordsRead} records\n`,
        );
        process.exitCode = 1;
      }
    });
}

function parsePositiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1)
    throw new UsageError(`--threads expects a positive integer, got "${value}"`);
  return n;
}

/** The command line's names of the SDK's options (a config file given with `--config` has its own keys). */
const FLAG_OPTION_KEYS: OptionKeys = {
  measureDate: '--measure-date',
  denominatorScope: '--denominator-scope',
  countCancelledEvents: '--no-count-cancelled-events',
  finessMode: '--finess-mode',
  timezoneOverrides: '--timezone',
  projectStartDate: '--project-start-date',
  allCarePlansAreProjetPersonnalise: '--all-care-plans-are-pp',
};

/**
 * The SDK's refusal of the options, under the names the user typed: the time zones are those of
 * `--timezone` and of the config's `establishments[].timezone` (`timezonesFrom`).
 */
function optionsErrorMessage(error: SdkOptionsError, timezonesFrom: readonly string[]): string {
  const keys: OptionKeys = {
    ...FLAG_OPTION_KEYS,
    ...(timezonesFrom.length > 0 ? { timezoneOverrides: timezonesFrom.join(' with ') } : {}),
  };
  const problems = optionProblems(error, keys);
  return `invalid options: ${problems.map((p) => `${p.key} ${p.message}`).join('; ')}`;
}

async function computeOptions(
  flags: ComputeFlags,
  command: Command,
): Promise<{
  options: ComputeOptions;
  logging: { level?: LogLevel; timezone?: string };
  /** Where the time-zone overrides were set, as the user names them. */
  timezonesFrom: string[];
}> {
  // The config's schema (zod), YAML parser and cron check are loaded only for `--config`: most runs of
  // `esms compute` have none, and would pay their load at start-up.
  const config =
    flags.config === undefined
      ? undefined
      : (await (await import('../config/load-config.js')).loadConfig(flags.config)).config;
  const fromConfig: ComputeOptions =
    config === undefined
      ? { measureDate: flags.measureDate }
      : computeOptionsFromConfig(config, flags.measureDate);
  const logging =
    config === undefined ? {} : { level: config.logging.level, timezone: config.schedule.timezone };
  const timezoneOverrides: Record<string, string> = { ...fromConfig.timezoneOverrides };
  const timezonesFrom = [
    ...((flags.timezone ?? []).length > 0 ? [FLAG_OPTION_KEYS.timezoneOverrides] : []),
    ...(Object.keys(timezoneOverrides).length > 0
      ? [`${CONFIG_OPTION_KEYS.timezoneOverrides} of ${flags.config ?? 'the config'}`]
      : []),
  ];
  for (const pair of flags.timezone ?? []) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new UsageError(`--timezone expects FINESS=Zone, got "${pair}"`);
    timezoneOverrides[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  // A flag given explicitly wins over the config file.
  const explicit = (name: string): boolean => command.getOptionValueSource(name) === 'cli';
  const options: ComputeOptions = {
    ...fromConfig,
    measureDate: flags.measureDate,
    ...(explicit('denominatorScope') ? { denominatorScope: flags.denominatorScope } : {}),
    ...(explicit('countCancelledEvents') ? { countCancelledEvents: flags.countCancelledEvents } : {}),
    ...(explicit('finessMode') ? { finessMode: flags.finessMode } : {}),
    ...(flags.projectStartDate !== undefined ? { projectStartDate: flags.projectStartDate } : {}),
    ...(flags.allCarePlansArePp ? { allCarePlansAreProjetPersonnalise: true } : {}),
    timezoneOverrides,
  };
  return { options, logging, timezonesFrom };
}
