import type { Command } from 'commander';
import { AgentError } from '../errors.js';

/** `esms verify` (contract.md §1). Not implemented yet. */
export function registerVerifyCommand(program: Command): void {
  program
    .command('verify')
    .description('(not implemented yet)')
    .allowUnknownOption()
    .action(() => {
      throw new AgentError('internal', 'esms verify is not implemented yet');
    });
}
