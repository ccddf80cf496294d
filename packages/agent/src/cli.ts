import { Command, CommanderError } from 'commander';
import { registerComputeCommand } from './commands/compute.js';
import { registerInitCommand } from './commands/init.js';
import { registerValidateConfigCommand } from './commands/validate-config.js';
import { registerRunOnceCommand } from './commands/run-once.js';
import { registerStartCommand } from './commands/start.js';
import { registerStatusCommand } from './commands/status.js';
import { registerVerifyCommand } from './commands/verify.js';
import { registerExportEvidenceCommand } from './commands/export-evidence.js';
import { registerReportCommand } from './commands/report.js';
import { registerExportCommand } from './commands/export.js';
import { AGENT_VERSION } from './version.js';

/**
 * Builds the `esms` program. Each verb lives in its own file under `commands/` and registers itself;
 * this file only wires them together, so verbs stay small and independently testable.
 */
export function buildProgram(): Command {
  const program = new Command('esms')
    .description('ESMS numérique: compute, prove and submit the DUI usage indicators')
    .version(AGENT_VERSION)
    .showHelpAfterError()
    .exitOverride();
  registerComputeCommand(program);
  registerInitCommand(program);
  registerValidateConfigCommand(program);
  registerRunOnceCommand(program);
  registerStartCommand(program);
  registerStatusCommand(program);
  registerVerifyCommand(program);
  registerExportEvidenceCommand(program);
  registerReportCommand(program);
  registerExportCommand(program);
  return program;
}

export { CommanderError };
