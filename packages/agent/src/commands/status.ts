import { Option, type Command } from 'commander';
import { resolveConfigPath } from '../config/config-path.js';
import { loadConfig } from '../config/load-config.js';
import { collectStatus } from '../status/collect-status.js';
import { formatStatusText } from '../status/format-status-text.js';

/** Exit code when something needs a human (a failed submission, an interrupted run…). */
export const STATUS_NEEDS_ATTENTION_EXIT_CODE = 1;

/**
 * `esms status` (contract.md §1): last runs, pending and failed submissions, next scheduled run, last
 * evidence entry. Reads only; exits 1 when something needs a human, 0 otherwise.
 */
export function registerStatusCommand(program: Command): void {
  program
    .command('status')
    .description(
      'last runs, pending and failed submissions, next scheduled run; exit 1 when something needs attention',
    )
    .option('--config <file>', 'config file (default: $ESMS_CONFIG or ./esms.config.yaml)')
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'json']).default('text'))
    .action(async (flags: { config?: string; format: 'text' | 'json' }) => {
      const loaded = await loadConfig(resolveConfigPath(flags.config));
      const status = await collectStatus(loaded);
      process.stdout.write(
        flags.format === 'json' ? `${JSON.stringify(status, null, 2)}\n` : formatStatusText(status),
      );
      if (status.problems.length > 0) process.exitCode = STATUS_NEEDS_ATTENTION_EXIT_CODE;
    });
}
