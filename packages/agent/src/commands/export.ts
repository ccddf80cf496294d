import type { Command } from 'commander';
import { AgentError } from '../errors.js';

/** `esms export` (contract.md §1). Not implemented yet. */
export function registerExportCommand(program: Command): void {
  program
    .command('export')
    .description('(not implemented yet)')
    .allowUnknownOption()
    .action(() => {
      throw new AgentError('internal', 'esms export is not implemented yet');
    });
}
