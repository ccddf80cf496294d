import { resolve } from 'node:path';
import { Option, type Command } from 'commander';
import { resolveConfigPath } from '../config/config-path.js';
import { loadConfig } from '../config/load-config.js';
import { AgentError } from '../errors.js';
import { collectStatus } from '../status/collect-status.js';
import { formatStatusPrometheus } from '../status/format-status-prometheus.js';
import { formatStatusText } from '../status/format-status-text.js';
import { writeFileAtomically } from '../status/write-file-atomically.js';

/** Exit code when something needs a human (a failed submission, an interrupted run…). */
export const STATUS_NEEDS_ATTENTION_EXIT_CODE = 1;

type StatusFormat = 'text' | 'json' | 'prometheus';

/**
 * `esms status` (contract.md §1): last runs, pending and failed submissions, next scheduled run, last
 * evidence entry. Reads only; exits 1 when something needs a human, 0 otherwise (with `--out` too: the
 * file is written either way). `--format prometheus --out FILE` writes node_exporter's textfile format,
 * atomically (the collector may read at any instant).
 */
export function registerStatusCommand(program: Command): void {
  program
    .command('status')
    .description(
      'last runs, pending and failed submissions, next scheduled run; exit 1 when something needs attention',
    )
    .option('--config <file>', 'config file (default: $ESMS_CONFIG or ./esms.config.yaml)')
    .addOption(
      new Option('--format <format>', 'output format (prometheus: node_exporter textfile format)')
        .choices(['text', 'json', 'prometheus'])
        .default('text'),
    )
    .option('--out <file>', 'write to this file (atomically: temp file, fsync, rename) instead of stdout')
    .action(async (flags: { config?: string; format: StatusFormat; out?: string }) => {
      const loaded = await loadConfig(resolveConfigPath(flags.config));
      const status = await collectStatus(loaded);
      const text =
        flags.format === 'json'
          ? `${JSON.stringify(status, null, 2)}\n`
          : flags.format === 'prometheus'
            ? formatStatusPrometheus(status)
            : formatStatusText(status);
      if (flags.out === undefined) {
        process.stdout.write(text);
      } else {
        const out = resolve(flags.out);
        await writeFileAtomically(out, text).catch((error: unknown) => {
          throw new AgentError(
            'internal',
            `cannot write ${out}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`,
            { cause: error },
          );
        });
      }
      if (status.problems.length > 0) process.exitCode = STATUS_NEEDS_ATTENTION_EXIT_CODE;
    });
}
