import type { Command } from 'commander';
import { AgentError } from '../errors.js';

/** `esms status` (contract.md §1). Not implemented yet. */
export function registerStatusCommand(program: Command): void {
  program
    .command('status')
    .description('(not implemented yet)')
    .allowUnknownOption()
    .action(() => {
      throw new AgentError('internal', 'esms status is not implemented yet');
    });
}
