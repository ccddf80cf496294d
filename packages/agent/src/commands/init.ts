import type { Command } from 'commander';
import { resolveConfigPath } from '../config/config-path.js';
import { initConfigFile } from '../config/init-config-file.js';

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
  stdout.write(`wrote ${result.path}${backup}\nedit it, then check it with: esms validate-config --config ${result.path}\n`);
  // LEAD: create the evidence keys here, e.g. `await initEvidenceKeys(<evidence dir under the config's dataDir>)` from '../evidence/keys.js'.
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
