import type { Command } from 'commander';
import { resolveConfigPath } from '../config/config-path.js';
import { dirname, resolve } from 'node:path';
import { DEFAULT_DATA_DIR } from '../config/config-defaults.js';
import { initConfigFile } from '../config/init-config-file.js';
import { loadConfig } from '../config/load-config.js';
import { initEvidenceKeys, type InitEvidenceKeysResult } from '../evidence/keys.js';
import { UsageError } from '../errors.js';
import { installSystemLayout } from '../install/system-install.js';
import {
  SYSTEM_CONFIG_DIR,
  SYSTEM_CONFIG_FILE,
  SYSTEM_DATA_DIR,
  SYSTEM_ENV_FILE,
  SYSTEM_INSTALL_PREFIX,
  SYSTEM_SERVICE_USER,
} from '../install/system-layout.js';
import { evidenceDirectory } from '../runner/agent-context.js';

export interface InitCommandOptions {
  /** `--config FILE`; else `ESMS_CONFIG`, else `./esms.config.yaml`. */
  config?: string | undefined;
  force?: boolean | undefined;
  /** `--system`: the layout of the systemd unit (/etc/esms, /var/lib/esms, owned by the service user). */
  system?: boolean | undefined;
  /** `--user NAME` (with `--system`): the service user, `esms` by default. */
  user?: string | undefined;
  /** `--root DIR` (with `--system`): write under DIR instead of `/` (staging an image, tests). */
  root?: string | undefined;
  /** `--keys-only`: the evidence keys in an existing config's data directory; the config is not touched. */
  keysOnly?: boolean | undefined;
}

/** Where `esms init` reports what it wrote (standard output in the CLI; a buffer in tests). */
interface CommandOutput {
  write(text: string): unknown;
}

/**
 * `esms init`: writes the commented example config (and the evidence keys). Refuses to replace an
 * existing config without `--force` (`ConfigExistsError`, nothing written).
 */
export async function runInit(options: InitCommandOptions, stdout: CommandOutput): Promise<void> {
  if (options.system === true) {
    await runSystemInit(options, stdout);
    return;
  }
  if (options.user !== undefined || options.root !== undefined) {
    throw new UsageError('--user and --root go with --system');
  }
  if (options.keysOnly === true) {
    if (options.force === true)
      throw new UsageError('--keys-only never replaces anything: leave out --force');
    // The config must load: the keys go where the runs will look for them.
    const loaded = await loadConfig(resolveConfigPath(options.config));
    writeKeys(await initEvidenceKeys(evidenceDirectory(loaded.config.dataDir)), stdout);
    return;
  }
  const result = await initConfigFile(resolveConfigPath(options.config), { force: options.force });
  const backup = result.backupPath === null ? '' : ` (previous file kept as ${result.backupPath})`;
  stdout.write(
    `wrote ${result.path}${backup}\nedit it, then check it with: esms validate-config --config ${result.path}\n`,
  );
  // The keys live in the evidence store of the config's data directory. The example config always loads
  // (secrets are only references); should a hand-edited one not, the default data directory is used.
  const dataDir = await loadConfig(result.path).then(
    (loaded) => loaded.config.dataDir,
    () => resolve(dirname(result.path), DEFAULT_DATA_DIR),
  );
  writeKeys(await initEvidenceKeys(evidenceDirectory(dataDir)), stdout);
}

function writeKeys(keys: InitEvidenceKeysResult, stdout: CommandOutput): void {
  const made = keys.created.privateKey ? 'created' : 'kept (already there)';
  stdout.write(
    `evidence signing key ${made}: ${keys.privateKeyPath} (mode 0600)\n` +
      `public key: ${keys.publicKeyPath}\nfingerprint: ${keys.fingerprint}\n` +
      'give the public key and its fingerprint to your signatory and auditors: esms verify checks signatures against it\n',
  );
}

/** `esms init --system`: what it did, then the steps that remain, in order. */
async function runSystemInit(options: InitCommandOptions, stdout: CommandOutput): Promise<void> {
  if (options.config !== undefined) {
    throw new UsageError(`--system writes ${SYSTEM_CONFIG_DIR}/${SYSTEM_CONFIG_FILE}: leave out --config`);
  }
  const done = await installSystemLayout({ user: options.user, root: options.root, force: options.force });
  const { user, keys } = done;
  const configNote = {
    created: 'written',
    replaced: 'replaced (previous kept as .bak)',
    kept: 'kept (already there)',
  };
  stdout.write(
    [
      `config ${configNote[done.config]}: ${done.configPath} (root, group ${user.group}, 0640)`,
      `secrets file ${done.env === 'created' ? 'written' : 'kept (already there)'}: ${done.envPath} (root 0600)`,
      `data directory: ${done.dataDir} (${user.name} 0700)`,
      `evidence signing key ${keys.created.privateKey ? 'created' : 'kept (already there)'}: ${keys.privateKeyPath} (${user.name} 0600)`,
      `public key: ${keys.publicKeyPath}`,
      `fingerprint: ${keys.fingerprint}`,
      '',
      'next:',
      `  1. edit ${SYSTEM_CONFIG_DIR}/${SYSTEM_CONFIG_FILE} (ESSMS, sources, ARS) and put the secrets it names in ${SYSTEM_CONFIG_DIR}/${SYSTEM_ENV_FILE}`,
      `  2. check it as the service will read it (its user, its secrets): sh -c 'set -a; . ${SYSTEM_CONFIG_DIR}/${SYSTEM_ENV_FILE}; exec runuser -u ${user.name} -- ${SYSTEM_INSTALL_PREFIX}/bin/esms validate-config --config ${SYSTEM_CONFIG_DIR}/${SYSTEM_CONFIG_FILE}'`,
      // The unit is not on the server unless it was copied there with the tarballs (README, step 1).
      '  3. install the unit shipped with the release (esms-agent.service, from examples/deploy/ in the repository) in /etc/systemd/system, then: systemctl daemon-reload && systemctl enable --now esms-agent',
      '  4. give the public key and its fingerprint to your signatory and auditors',
      '',
    ].join('\n'),
  );
}

/** `esms init [--config FILE] [--force]`, `esms init --system [--user NAME] [--root DIR] [--force]` (contract.md §1). */
export function registerInitCommand(program: Command): void {
  program
    .command('init')
    .description('write a commented example config file (and the evidence keys)')
    .option('--config <file>', 'config file to write (default: $ESMS_CONFIG, else ./esms.config.yaml)')
    .option('--force', 'replace an existing config file (the old one is kept as <file>.bak)')
    .option(
      '--system',
      `system install for the systemd unit: ${SYSTEM_CONFIG_DIR}/${SYSTEM_CONFIG_FILE}, data in ${SYSTEM_DATA_DIR}, owned by the service user (run as root)`,
    )
    .option(
      '--user <name>',
      `with --system: the service user (default ${SYSTEM_SERVICE_USER}; it must exist)`,
    )
    .option('--root <dir>', 'with --system: write under this directory instead of / (an image being built)')
    .option(
      '--keys-only',
      'only the evidence keys, in the data directory of the existing config (a run never creates them)',
    )
    .action(async (options: InitCommandOptions) => {
      await runInit(options, process.stdout);
    });
}
