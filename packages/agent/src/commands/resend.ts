import type { Command } from 'commander';
import { DEFAULT_DELIVERY_WAIT } from '../config/config-defaults.js';
import { resolveConfigPath } from '../config/config-path.js';
import { parseWaitFlag } from '../config/duration-flag.js';
import { AgentError } from '../errors.js';
import { takeOverStopSignals } from '../lifecycle/stop-signals.js';
import { openAgentContext } from '../runner/agent-context.js';
import { MIN_SUBMISSION_ID_PREFIX, resendSubmission } from '../runner/resend.js';
import { runDependencies } from '../runner/run-dependencies.js';

/**
 * `esms resend SUBMISSION` (contract.md §1): sends a kept failure again once its cause is fixed (a token
 * corrected after a 401, an ARS back after its retry deadline), recorded in the evidence journal. Same
 * id and bytes: the ARS keeps one copy. Exit 0 delivered (or nothing to do), 1 refused or overdue again,
 * 75 still queued after `--wait`, 2 no such kept submission.
 */
export function registerResendCommand(program: Command): void {
  program
    .command('resend')
    .description('send again a submission kept as refused or overdue, once its cause is fixed')
    .argument(
      '<submission>',
      `the submission id, or its first digits (at least ${MIN_SUBMISSION_ID_PREFIX}) as esms status shows them`,
    )
    .option('--config <file>', 'config file (default: $ESMS_CONFIG or ./esms.config.yaml)')
    .option(
      '--wait <duration>',
      `how long to keep retrying delivery before leaving it queued, exit 75 (default ${DEFAULT_DELIVERY_WAIT})`,
      parseWaitFlag,
    )
    .action(async (submission: string, flags: { config?: string; wait?: number }) => {
      const ctx = await openAgentContext(resolveConfigPath(flags.config));
      // Until here a signal ends the process at once (nothing written yet); from here it stops cleanly.
      const stop = takeOverStopSignals();
      const result = await resendSubmission(runDependencies(ctx), submission, {
        signal: stop.signal,
        deliveryWaitMs: flags.wait ?? parseWaitFlag(DEFAULT_DELIVERY_WAIT),
      });
      const short = result.id.slice(0, 12);
      if (result.found === 'done') {
        process.stdout.write(`submission ${short} was already delivered: nothing to resend\n`);
        return;
      }
      if (result.found === 'pending') {
        process.stdout.write(
          `submission ${short} is already queued: the daemon or the next run sends it (see esms status)\n`,
        );
        return;
      }
      if (stop.received() !== null) {
        throw new AgentError('aborted', `stopped by a signal: submission ${short} stays queued`);
      }
      if (result.outcome === 'done') {
        process.stdout.write(
          `submission ${short} sent again and received: receipt recorded in the evidence\n`,
        );
        return;
      }
      if (result.outcome === 'failed') {
        throw new AgentError(
          result.failure?.code === 'submission-deadline' ? 'submission-deadline' : 'submission-permanent',
          `submission ${short} failed again: ${result.failure?.reason ?? 'see esms status'}`,
        );
      }
      throw new AgentError(
        'submission-pending',
        `submission ${short} is queued again but not delivered yet: the daemon or the next run sends it`,
      );
    });
}
