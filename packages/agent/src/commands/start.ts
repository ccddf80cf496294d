import type { Command } from 'commander';
import { resolveConfigPath } from '../config/config-path.js';
import { Agent } from '../daemon/agent.js';
import { EXIT_AFTER_STOP_GRACE_MS } from '../daemon/daemon-timings.js';
import { stopExitCode, takeOverStopSignals } from '../lifecycle/stop-signals.js';
import { openAgentContext } from '../runner/agent-context.js';

/**
 * `esms start` (contract.md §1): the daemon. The first SIGINT/SIGTERM stops the agent cleanly (the run in
 * flight stops between steps), then the process ends with 130/143; a second one ends it at once (same
 * codes). A signal before the agent exists (config loading) ends the process at once: nothing was written.
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
      let stopped: Promise<void> | null = null;
      const stop = takeOverStopSignals({
        onStop: (signal) => {
          log.info({ signal }, 'stopping');
          stopped = agent.stop();
        },
        onForcedExit: (signal) =>
          log.warn({ signal }, 'second signal: exiting now; pending work resumes at the next start'),
      });
      const stopRequested = new Promise<void>((resolve) => {
        if (stop.signal.aborted) resolve();
        else stop.signal.addEventListener('abort', () => resolve(), { once: true });
      });
      await agent.start();
      await stopRequested;
      await (stopped ?? agent.stop());
      // The process ends on its own once idle; a stray handle (keep-alive socket) must not keep it up.
      setTimeout(() => process.exit(stopExitCode() ?? 0), EXIT_AFTER_STOP_GRACE_MS).unref();
    });
}
