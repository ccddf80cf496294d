import type { Command } from 'commander';
import { DEFAULT_DELIVERY_WAIT } from '../config/config-defaults.js';
import { resolveConfigPath } from '../config/config-path.js';
import { parseWaitFlag } from '../config/duration-flag.js';
import { parseMeasureDateFlag } from '../config/measure-date.js';
import { AgentError } from '../errors.js';
import { takeOverStopSignals } from '../lifecycle/stop-signals.js';
import { progressReporter } from '../progress/progress-reporter.js';
import { openAgentContext } from '../runner/agent-context.js';
import { runDependencies } from '../runner/run-dependencies.js';
import { runOnce } from '../runner/run-once.js';
import { outcomeShown } from '../runner/run-records.js';

interface RunOnceFlags {
  config?: string;
  measureDate?: string;
  wait?: number;
  progress: boolean;
}

/**
 * `esms run-once`: pull, compute, seal evidence, submit, store the receipt, now, once. Returns after at
 * most `--wait` of delivery (plus one ARS timeout for the send in flight): exit 0 delivered (or sealed,
 * with no ARS), 75 still queued (the daemon or the next run sends it), 1 failed or refused, 130/143 on
 * SIGINT/SIGTERM.
 */
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
    .option(
      '--wait <duration>',
      `how long to keep retrying delivery before leaving the submission queued, exit 75 (default ${DEFAULT_DELIVERY_WAIT})`,
      parseWaitFlag,
    )
    .option(
      '--no-progress',
      'no progress on standard error (a status line on a terminal, else JSON phase lines in the log)',
    )
    .action(async (flags: RunOnceFlags) => {
      const ctx = await openAgentContext(resolveConfigPath(flags.config));
      // Until here a signal ends the process at once (nothing written yet); from here it stops cleanly.
      const stop = takeOverStopSignals();
      const record = await runOnce(runDependencies(ctx), {
        trigger: 'manual',
        measureDate: flags.measureDate,
        signal: stop.signal,
        deliveryWaitMs: flags.wait ?? parseWaitFlag(DEFAULT_DELIVERY_WAIT),
        progress: progressReporter({ mode: flags.progress ? 'auto' : 'none', logger: ctx.logger }),
      });
      // `outcome` as status shows it: `overdue`, not `failed`, for a submission given up at its deadline.
      process.stdout.write(`${JSON.stringify({ ...record, outcome: outcomeShown(record) }, null, 2)}\n`);
      if (stop.received() !== null || record.outcome === 'aborted')
        throw new AgentError('aborted', 'run stopped by a signal; pending work resumes at the next start');
      if (record.outcome === 'error' || record.outcome === 'failed') {
        const code = record.error?.code;
        throw new AgentError(
          code === 'submission-permanent' ||
            code === 'submission-deadline' ||
            code === 'evidence-keys-missing'
            ? code
            : 'nothing-computed',
          `run ${record.outcome}: ${record.error?.message ?? 'see the log'}`,
        );
      }
      if (record.outcome === 'pending') {
        throw new AgentError(
          'submission-pending',
          `sealed and queued, not delivered yet (ARS unreachable or busy): submission ${record.submissionId?.slice(0, 12) ?? '?'} stays pending for the daemon or the next run`,
        );
      }
    });
}
