import type { Command } from 'commander';
import { isConfigInvalidError } from '../config/config-invalid-error.js';
import { resolveConfigPath } from '../config/config-path.js';
import { Agent } from '../daemon/agent.js';
import { EXIT_AFTER_STOP_GRACE_MS } from '../daemon/daemon-timings.js';
import { isAgentError } from '../errors.js';
import { onReloadSignal } from '../lifecycle/reload-signal.js';
import { stopExitCode, takeOverStopSignals } from '../lifecycle/stop-signals.js';
import type { AgentLogger } from '../logging/create-logger.js';
import { openAgentContext, type AgentContext } from '../runner/agent-context.js';
import { checkSecrets } from '../secrets/check-secrets.js';
import { isSecretMissingError, SecretMissingError } from '../secrets/secret-missing-error.js';

/**
 * `esms start` (contract.md §1): the daemon. The first SIGINT/SIGTERM stops the agent cleanly (the run in
 * flight stops between steps), then the process ends with 130/143; a second one ends it at once (same
 * codes). A signal before the agent exists (config loading) ends the process at once: nothing was written.
 *
 * The config is validated whole and its secrets checked before anything starts (a bad config or a
 * missing secret exits 3, which the systemd unit does not restart). SIGHUP reads the config again, validates
 * it the same way and, only if it holds, runs on it; otherwise the running one is kept and the log says why
 * at error level.
 */
/** What a reload cannot do: see a variable added to the environment file after the service started. */
export const SECRET_ENV_RESTART_HINT =
  'a secret added to the environment (esms.env) is seen only after a restart: systemctl restart esms-agent';

export function registerStartCommand(program: Command): void {
  program
    .command('start')
    .description(
      'run on the configured schedule until stopped (SIGINT/SIGTERM stop it cleanly; SIGHUP reloads the config)',
    )
    .option('--config <file>', 'config file (default: $ESMS_CONFIG or ./esms.config.yaml)')
    .action(async (flags: { config?: string }) => {
      const configPath = resolveConfigPath(flags.config);
      // Listening for SIGHUP first: a reload asked while the config loads is done once the agent runs,
      // instead of Node's default (ending the process, which systemd would take for a clean stop).
      let log: AgentLogger | undefined;
      let markStarted = (_agent: Agent): void => undefined;
      const started = new Promise<Agent>((resolve) => (markStarted = resolve));
      let stopRequestedBySignal = (): boolean => false;
      const stopReloads = onReloadSignal(async () => {
        const agent = await started;
        if (log === undefined || stopRequestedBySignal()) return;
        log.info({ signal: 'SIGHUP', config: configPath }, 'reloading the configuration');
        try {
          const next = await openCheckedContext(configPath);
          if (agent.reload(next)) log = next.logger.child({ component: 'daemon' });
        } catch (error) {
          log.error(
            {
              config: configPath,
              code: isAgentError(error) ? error.code : 'internal',
              reason: error instanceof Error ? error.message : String(error),
              ...(isConfigInvalidError(error) || isSecretMissingError(error)
                ? { problems: error.problems }
                : {}),
              // A reload re-reads the config and the secret files, not the environment: systemd passes
              // EnvironmentFile (esms.env) only when the service starts (follow-up O2).
              ...(isSecretMissingError(error) ? { hint: SECRET_ENV_RESTART_HINT } : {}),
            },
            'configuration not reloaded: the running one is kept',
          );
        }
      });
      const ctx = await openCheckedContext(configPath);
      log = ctx.logger.child({ component: 'daemon' });
      const daemon = new Agent({ context: ctx });
      let stopped: Promise<void> | null = null;
      const stop = takeOverStopSignals({
        onStop: (signal) => {
          log?.info({ signal }, 'stopping');
          stopped = daemon.stop();
        },
        onForcedExit: (signal) =>
          log?.warn({ signal }, 'second signal: exiting now; pending work resumes at the next start'),
      });
      stopRequestedBySignal = () => stop.signal.aborted;
      const stopRequested = new Promise<void>((resolve) => {
        if (stop.signal.aborted) resolve();
        else stop.signal.addEventListener('abort', () => resolve(), { once: true });
      });
      const startUp = daemon.start();
      markStarted(daemon);
      await startUp;
      await stopRequested;
      stopReloads();
      await (stopped ?? daemon.stop());
      // The process ends on its own once idle; a stray handle (keep-alive socket) must not keep it up.
      setTimeout(() => process.exit(stopExitCode() ?? 0), EXIT_AFTER_STOP_GRACE_MS).unref();
    });
}

/** The whole config validated, then every secret it names checked readable (each failure exits 3). */
async function openCheckedContext(configPath: string): Promise<AgentContext> {
  const ctx = await openAgentContext(configPath);
  const problems = await checkSecrets(ctx.config);
  if (problems.length > 0) throw new SecretMissingError(problems);
  return ctx;
}
