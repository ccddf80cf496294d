import type { Command } from 'commander';
import { resolveConfigPath } from '../config/config-path.js';
import { dirname, resolve } from 'node:path';
import { DEFAULT_DATA_DIR } from '../config/config-defaults.js';
import { initConfigFile } from '../config/init-config-file.js';
import { loadConfig } from '../config/load-config.js';
import { initEvidenceKeys } from '../evidence/keys.js';
import { evidenceDirectory } from '../runner/agent-context.js';

export interface InitCommandOptions {
  /** `--config FILE`; else `ESMS_CONFIG`, else `./esms.config.yaml`. */
  config?: string | undefined;
  force?: boolean | undefined;
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
  const keys = await initEvidenceKeys(evidenceDirectory(dataDir));
  const made = keys.created.privateKey ? 'created' : 'kept (already there)';
  stdout.write(
    `evidence signing key ${made}: ${keys.privateKeyPath} (mode 0600)\n` +
      `public key: ${keys.publicKeyPath}\nfingerprint: ${keys.fingerprint}\n` +
      'give the public key and its fingerprint to your signatory and auditors: esms verify checks signatures against it\n',
  );
}

/** `esms init [--config FILE] [--force]` (contract.md §1). */
export function registerInitCommand(program: Command): void {
  program
    .command('init')
    .description('write a commented example config file (and the evidence keys)')
    .option('--config <file>', 'config file to write (default: $ESMS_CONFIG, else ./esms.config.yaml)')
    .option('--force', 'replace an existing config file (the old one is kept as <file>.bak)')
    .action(async (options: InitCommandOptions) => {
      await runInit(options, process.stdout);
    });
}
