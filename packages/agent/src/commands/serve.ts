import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import { resolveConfigPath } from '../config/config-path.js';
import { DEFAULT_SERVE_BODY_LIMIT_BYTES, DEFAULT_SERVE_LISTEN } from '../config/config-defaults.js';
import { loadConfig, type LoadedConfig } from '../config/load-config.js';
import { UsageError } from '../errors.js';
import { takeOverStopSignals } from '../lifecycle/stop-signals.js';
import { createLogger } from '../logging/create-logger.js';
import { resolveServeToken, ServeAuth } from '../serve/auth.js';
import { computeConfigured } from '../serve/configured-computation.js';
import { parseListenAddress } from '../serve/listen-address.js';
import { startServeServer } from '../serve/server.js';

interface ServeFlags {
  config?: string;
  listen: string;
}

/**
 * `esms serve` (contract.md §1): the local HTTP service. Loopback by default; another address only with
 * `serve.token` configured, since the service then answers other machines. Without a config (none given,
 * none at `$ESMS_CONFIG` or `./esms.config.yaml`) it serves `POST /compute` only.
 */
export function registerServeCommand(program: Command): void {
  program
    .command('serve')
    .description(
      'a local HTTP service: POST /compute, FHIR $evaluate-measure over the configured sources, the dashboard',
    )
    .option('--config <file>', 'config file (default: $ESMS_CONFIG or ./esms.config.yaml, when present)')
    .option(
      '--listen <host:port>',
      'address to listen on (loopback unless serve.token is set)',
      DEFAULT_SERVE_LISTEN,
    )
    .action(async (flags: ServeFlags) => {
      const address = parseListenAddress(flags.listen);
      const loaded = await loadOptionalConfig(flags.config);
      const token = await resolveServeToken(loaded?.config ?? null);
      if (!address.loopback && token === null) {
        throw new UsageError(
          `--listen ${flags.listen} is not a loopback address: other machines could connect, so serve.token must be set in the config (a { env } or { file } secret)`,
        );
      }
      const logger = createLogger({
        level: loaded?.config.logging.level,
        format: loaded?.config.logging.format,
        timezone: loaded?.config.schedule.timezone,
      }).child({ component: 'serve' });
      const running = await startServeServer(
        {
          loaded,
          auth: new ServeAuth(token),
          bodyLimitBytes: loaded?.config.serve?.bodyLimitBytes ?? DEFAULT_SERVE_BODY_LIMIT_BYTES,
          now: () => new Date(),
          logger,
          computeConfigured,
        },
        address,
      );
      // The one line a script waits for (tests read the URL from it); logs go to standard error.
      process.stdout.write(`esms serve: listening on ${running.url}\n`);
      logger.info(
        { url: running.url, config: loaded?.path ?? null, authentication: token !== null },
        'listening',
      );
      await new Promise<void>((resolvePromise) => {
        takeOverStopSignals({
          onStop: () => {
            void running.close().finally(resolvePromise);
          },
        });
      });
      logger.info('stopped');
    });
}

async function loadOptionalConfig(flag: string | undefined): Promise<LoadedConfig | null> {
  const path = resolveConfigPath(flag);
  if (flag === undefined && !existsSync(path)) return null;
  return loadConfig(path);
}
