#!/usr/bin/env node
import { buildProgram, CommanderError } from './cli.js';
import { EXIT_CODE_BY_ERROR, isAgentError, UsageError } from './errors.js';
import { workFromInvocationDirectory } from './lifecycle/pnpm-cwd.js';
import { installStopSignals, stopExitCode } from './lifecycle/stop-signals.js';
import { stderrFailureLine } from './logging/journal-stream.js';

/**
 * The thin entry point (medplum's `main.ts`): parse argv, dispatch, and map every failure to an exit
 * code. Nothing else happens here.
 */
async function main(argv: readonly string[]): Promise<number> {
  const program = await buildProgram(argv);
  try {
    await program.parseAsync(argv);
    // A verb that stopped cleanly on SIGINT/SIGTERM still ends with the signal's code (130/143).
    return stopExitCode() ?? (typeof process.exitCode === 'number' ? process.exitCode : 0);
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help and --version exit 0; every other commander failure is bad usage (exit 2).
      return error.exitCode === 0 ? 0 : 2;
    }
    if (isAgentError(error)) {
      const exitCode = stopExitCode() ?? EXIT_CODE_BY_ERROR[error.code];
      // After JSON log lines, the last word is a JSON line too (follow-up O5); plain on a terminal.
      process.stderr.write(stderrFailureLine(error.message, { code: error.code, exitCode }));
      if (error.code === 'usage' && !(error instanceof UsageError && !error.showUsage)) {
        // The usage of the verb that was misused, when there is one.
        const verb = program.commands.find((command) => argv.slice(2).includes(command.name()));
        process.stderr.write((verb ?? program).helpInformation());
      }
      return exitCode;
    }
    process.stderr.write(
      `esms: unexpected error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    return 1;
  }
}

// `esms compute … | head`: a reader that goes away is not an error of ours.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw error;
});

// First of all, so that a signal at any instant, even while a verb loads, ends with its own code.
installStopSignals();
// `pnpm esms …`: relative paths are the user's, not the repository root's.
workFromInvocationDirectory();

main(process.argv).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`esms: fatal: ${String(error)}\n`);
    process.exitCode = 1;
  },
);
