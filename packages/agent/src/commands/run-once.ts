import type { Command } from 'commander';
import { parseMeasureDateFlag } from '../config/measure-date.js';
import { AgentError } from '../errors.js';
import { openAgentContext } from '../runner/agent-context.js';
import { runDependencies } from '../runner/run-dependencies.js';
import { runOnce } from '../runner/run-once.js';
import { resolveConfigPath } from '../config/config-path.js';

/** `esms run-once`: pull, compute, seal evidence, submit, store the receipt — now, once. */
export function registerRunOnceCommand(program: Command): void {
  program
    .command('run-once')
    .description('pull, compute, seal evidence, submit and store the receipt, once, now')
    .option('--config <file>', 'config file (default: $ESMS_CONFIG or ./esms.config.yaml)')
    .option(
      '--measure-date <YYYY-MM-DD>',
      'measurement date (default: the config rule)',
      parseMeasureDateFlag,
    )
    .action(async (flags: { config?: string; measureDate?: string }) => {
      const ctx = await openAgentContext(resolveConfigPath(flags.config));
      const controller = new AbortController();
      const stop = (): void => controller.abort();
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
      try {
        const record = await runOnce(runDependencies(ctx), {
          trigger: 'manual',
          measureDate: flags.measureDate,
          signal: controller.signal,
        });
        process.stdout.write(`${JSON.stringify(record, null, 2)}\n`);
        if (record.outcome === 'aborted')
          throw new AgentError('aborted', 'run stopped by a signal; pending work resumes at the next start');
        if (record.outcome === 'error' || record.outcome === 'failed') {
          throw new AgentError(
            record.error?.code === 'submission-permanent' ? 'submission-permanent' : 'nothing-computed',
            `run ${record.outcome}: ${record.error?.message ?? 'see the log'}`,
          );
        }
        if (record.outcome === 'pending') process.exitCode = 1;
      } finally {
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
      }
    });
}
