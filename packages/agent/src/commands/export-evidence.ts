import type { Command } from 'commander';
import { AgentError } from '../errors.js';

/** `esms export-evidence` (contract.md §1). Not implemented yet. */
export function registerExportEvidenceCommand(program: Command): void {
  program
    .command('export-evidence')
    .description('(not implemented yet)')
    .allowUnknownOption()
    .action(() => {
      throw new AgentError('internal', 'esms export-evidence is not implemented yet');
    });
}
