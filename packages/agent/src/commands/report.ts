import type { Command } from 'commander';
import { AgentError } from '../errors.js';

/** `esms report` (contract.md §1). Not implemented yet. */
export function registerReportCommand(program: Command): void {
  program
    .command('report')
    .description('(not implemented yet)')
    .allowUnknownOption()
    .action(() => {
      throw new AgentError('internal', 'esms report is not implemented yet');
    });
}
