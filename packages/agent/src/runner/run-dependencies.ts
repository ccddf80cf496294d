import { alertNotifier, type AlertNotifier } from '../alerts/alert-notifier.js';
import { alertSenderFromConfig } from '../alerts/send-alert.js';
import type { AgentConfig } from '../config/agent-config-schema.js';
import type { ArsConfig } from '../config/ars-schema.js';
import type { AgentLogger } from '../logging/create-logger.js';
import { access } from 'node:fs/promises';
import { AgentError } from '../errors.js';
import { evidenceKeyFiles } from '../evidence/keys.js';
import { listCredentials } from '../secrets/check-secrets.js';
import { openEvidenceStore, type EvidenceStore } from '../evidence/store.js';
import { timestampingFromConfig, type Timestamping } from '../evidence/timestamping.js';
import type { RecordSource } from '../sources/source.js';
import type { SubmissionTransport } from '../submit/ars-client.js';
import { Outbox } from '../submit/outbox.js';
import type { RetryPolicy } from '../submit/retry-policy.js';
import type { Sleep } from '../http/sleep.js';
import type { AgentContext } from './agent-context.js';
import { loggedEvidenceStore } from './logged-evidence-store.js';
import { arsTransportFromConfig, retryPolicyFromConfig } from './ars-from-config.js';
import { sourcesFromConfig } from './sources-from-config.js';

/** Something opened when a run needs it (files, secrets): a failure to open is that run's error. */
export type Opener<T> = () => Promise<T>;

/**
 * Everything a run works with (STYLE.md §2): `runOnce` builds none of it, so a test hands it an
 * in-memory store, a transport that fails on cue or a fixed clock. Stateful parts are openers, called
 * inside the run, so that a store or a secret that cannot be opened ends in a run record saying so.
 */
export interface RunDependencies {
  /** What to compute and for whom (data only: nothing in it is opened). */
  config: AgentConfig;
  /** Digest of the config file, sealed with every run. */
  configDigest: string;
  logger: AgentLogger;
  clock: () => Date;
  /** The record sources of a run whose rules may look back to `windowStart` (`YYYY-MM-DD`). */
  sources: (windowStart: string) => Promise<readonly RecordSource[]>;
  evidence: Opener<EvidenceStore>;
  /** `null` when no ARS is configured: runs end `sealed`, for an upload. */
  submission: SubmissionDependencies | null;
  /** Told when a run fails or a submission is kept as failed (`alerts` in the config); none by default. */
  alerts?: AlertNotifier | undefined;
}

/** How sealed figures reach the ARS: the durable outbox, the transport and its retry policy. */
export interface SubmissionDependencies {
  outbox: Opener<Outbox>;
  transport: Opener<SubmissionTransport>;
  retryPolicy: RetryPolicy;
  /** Waits between delivery attempts (default: a real, abortable timer). */
  sleep?: Sleep | undefined;
}

export interface RunDependencyOverrides {
  transport?: SubmissionTransport | undefined;
  sleep?: Sleep | undefined;
}

/** The real dependencies of a configured agent: its sources, file evidence store, outbox and ARS client. */
export function runDependencies(ctx: AgentContext, overrides: RunDependencyOverrides = {}): RunDependencies {
  const { config } = ctx;
  return {
    config,
    configDigest: ctx.loaded.digest,
    logger: ctx.logger,
    clock: ctx.now,
    sources: (windowStart) =>
      sourcesFromConfig(config, windowStart, ctx.logger.child({ component: 'source' })),
    evidence: async () =>
      loggedEvidenceStore(
        await openEvidenceStore(await existingKeys(ctx), {
          now: ctx.now,
          timestamping: await evidenceTimestamping(ctx),
        }),
        ctx.logger.child({ component: 'evidence' }),
      ),
    submission: config.ars === null ? null : submissionDependencies(ctx, config.ars, overrides),
    alerts: alertsOf(ctx),
  };
}

/**
 * The evidence directory, once it is known to hold a signing key. A run never creates one (follow-up F3):
 * a `dataDir` changed after `esms init` would otherwise sign with a new key whose fingerprint nobody was
 * given, and `esms verify --fingerprint` would fail on every later run.
 */
async function existingKeys(ctx: AgentContext): Promise<string> {
  const { privateKeyPath } = evidenceKeyFiles(ctx.evidenceDir);
  try {
    await access(privateKeyPath);
  } catch {
    throw new AgentError(
      'evidence-keys-missing',
      `no evidence signing key at ${privateKeyPath}: a run never creates one. If dataDir (${ctx.dataDir}) ` +
        'changed since esms init, set it back (or move the data directory there); on a new installation, ' +
        `create the key with: esms init --keys-only --config ${ctx.loaded.path}`,
    );
  }
  return ctx.evidenceDir;
}

function alertsOf(ctx: AgentContext): AlertNotifier | undefined {
  if (ctx.config.alerts === undefined) return undefined;
  const secretEnvNames = new Set(
    listCredentials(ctx.config).flatMap((c) => ('secret' in c && 'env' in c.secret ? [c.secret.env] : [])),
  );
  const send = alertSenderFromConfig(
    ctx.config.alerts,
    ctx.logger.child({ component: 'alerts' }),
    secretEnvNames,
  );
  if (send === undefined) return undefined;
  return alertNotifier(send, () => ({
    now: ctx.now(),
    timezone: ctx.config.schedule.timezone,
    configPath: ctx.loaded.path,
  }));
}

function submissionDependencies(
  ctx: AgentContext,
  ars: ArsConfig,
  overrides: RunDependencyOverrides,
): SubmissionDependencies {
  return {
    outbox: () =>
      Outbox.open({ dataDir: ctx.dataDir, now: ctx.now, logger: ctx.logger.child({ component: 'outbox' }) }),
    // Secrets are read each time a delivery starts, so a token fixed on disk is used by the next one.
    transport: () =>
      overrides.transport === undefined
        ? arsTransportFromConfig(ars, ctx.now, ctx.logger.child({ component: 'submitter' }))
        : Promise.resolve(overrides.transport),
    retryPolicy: retryPolicyFromConfig(ars.retry),
    sleep: overrides.sleep,
  };
}

/** The configured time-stamping authority: a failure to stamp is logged (ids only), never a failed run. */
export function evidenceTimestamping(ctx: AgentContext): Promise<Timestamping | null> {
  const log = ctx.logger.child({ component: 'evidence' });
  return timestampingFromConfig(ctx.config.evidence.timestamping, (entry, error) =>
    log.warn(
      { seq: entry.seq, err: error instanceof Error ? error.message : String(error) },
      'entry not time-stamped this time (the TSA will be asked again at the next append)',
    ),
  );
}
