import type { Command } from 'commander';
import { resolveConfigPath } from '../config/config-path.js';
import { Agent } from '../daemon/agent.js';
import { EXIT_AFTER_STOP_GRACE_MS } from '../daemon/daemon-timings.js';
import { EXIT_CODE_BY_ERROR } from '../errors.js';
import { openAgentContext } from '../runner/agent-context.js';

const STOP_SIGNALS = ['SIGINT', 'SIGTERM'] as const;

/**
 * `esms start` (contract.md §1): the daemon. Signal handling is registered here, once: the first
 * SIGINT/SIGTERM stops the agent cleanly (exit 0 once the run in flight has stopped), a second one forces
 * exit 130.
 */
export function registerStartCommand(program: Command): void {
  program
    .command('start')
    .description('run on the configured schedule until stopped (SIGINT/SIGTERM stop it cleanly)')
    .option('--config <file>', 'config file (default: $ESMS_CONFIG or ./esms.config.yaml)')
    .action(async (flags: { config?: string }) => {
      const ctx = await openAgentContext(resolveConfigPath(flags.config));
      const log = ctx.logger.child({ component: 'daemon' });
      const agent = new Agent({ context: ctx });
      let signals = 0;
      let stopped!: Promise<void>;
      const stopRequested = new Promise<void>((resolve) => {
        const onSignal = (signal: NodeJS.Signals): void => {
          signals += 1;
          if (signals > 1) {
            log.warn({ signal }, 'second signal: exiting now; pending work resumes at the next start');
            process.exit(EXIT_CODE_BY_ERROR.aborted);
          }
          log.info({ signal }, 'stopping');
          stopped = agent.stop();
          resolve();
        };
        for (const name of STOP_SIGNALS) process.on(name, onSignal);
      });
      await agent.start();
      await stopRequested;
      await stopped;
      // The process ends on its own once idle; a stray handle (keep-alive socket) must not keep it up.
      setTimeout(() => process.exit(process.exitCode ?? 0), EXIT_AFTER_STOP_GRACE_MS).unref();
    });
}
