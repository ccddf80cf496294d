import { Command, CommanderError } from 'commander';
import { LOG_LEVELS } from './config/config-defaults.js';
import { LOG_LEVEL_ENV, parseLogLevel } from './logging/log-level-override.js';
import { AGENT_VERSION } from './version.js';

type Register = (program: Command) => void;

/**
 * Every verb, each in its own file under `commands/`. Loaded lazily: a verb's module pulls in what only
 * it needs (axios, undici, the evidence code…), and `esms compute` should not pay for `esms start`.
 */
const VERBS: Readonly<Record<string, () => Promise<Register>>> = {
  compute: async () => (await import('./commands/compute.js')).registerComputeCommand,
  init: async () => (await import('./commands/init.js')).registerInitCommand,
  'validate-config': async () =>
    (await import('./commands/validate-config.js')).registerValidateConfigCommand,
  'run-once': async () => (await import('./commands/run-once.js')).registerRunOnceCommand,
  start: async () => (await import('./commands/start.js')).registerStartCommand,
  status: async () => (await import('./commands/status.js')).registerStatusCommand,
  verify: async () => (await import('./commands/verify.js')).registerVerifyCommand,
  'export-evidence': async () =>
    (await import('./commands/export-evidence.js')).registerExportEvidenceCommand,
  report: async () => (await import('./commands/report.js')).registerReportCommand,
  export: async () => (await import('./commands/export.js')).registerExportCommand,
  resend: async () => (await import('./commands/resend.js')).registerResendCommand,
  'rotate-key': async () => (await import('./commands/rotate-key.js')).registerRotateKeyCommand,
  serve: async () => (await import('./commands/serve.js')).registerServeCommand,
};

/**
 * Builds the `esms` program for `argv`: only the invoked verb is loaded; for help, an unknown verb or no
 * verb at all, every verb is, so the usage lists them all.
 */
export async function buildProgram(argv: readonly string[]): Promise<Command> {
  const program = new Command('esms')
    .description('ESMS numérique: compute, prove and submit the DUI usage indicators')
    .version(AGENT_VERSION)
    .showHelpAfterError()
    .exitOverride()
    .option(
      '--log-level <level>',
      `log level for this command, over the config's (${LOG_LEVELS.join(', ')}; or ${LOG_LEVEL_ENV})`,
    )
    .hook('preAction', (root) => {
      const flag = root.opts<{ logLevel?: string }>().logLevel;
      // Checked before the verb runs; passed on as the variable (a daemon keeps it across a reload).
      if (flag !== undefined) process.env[LOG_LEVEL_ENV] = parseLogLevel(flag, '--log-level');
      else if (process.env[LOG_LEVEL_ENV] !== undefined && process.env[LOG_LEVEL_ENV] !== '')
        parseLogLevel(process.env[LOG_LEVEL_ENV], LOG_LEVEL_ENV);
    });
  const args = argv.slice(2);
  // The first word that is neither an option nor the value of the root's `--log-level <level>`.
  const verb = args.find((arg, i) => !arg.startsWith('-') && args[i - 1] !== '--log-level');
  const load = verb !== undefined ? VERBS[verb] : undefined;
  // `esms --version` alone prints the version and nothing of any verb: none is loaded.
  const versionOnly = args.length === 1 && (args[0] === '--version' || args[0] === '-V');
  const registers = load
    ? [await load()]
    : versionOnly
      ? []
      : await Promise.all(Object.values(VERBS).map((l) => l()));
  for (const register of registers) register(program);
  return program;
}

export { CommanderError };
