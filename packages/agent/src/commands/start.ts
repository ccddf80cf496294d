import type { Command } from 'commander';
import { AgentError } from '../errors.js';

/** `esms start` (contract.md §1). Not implemented yet. */
export function registerStartCommand(program: Command): void {
  program
    .command('start')
    .description('(not implemented yet)')
    .allowUnknownOption()
    .action(() => {
      throw new AgentError('internal', 'esms start is not implemented yet');
    });
}
