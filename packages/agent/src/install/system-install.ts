import { chmod, chown, mkdir, open } from 'node:fs/promises';
import { join } from 'node:path';
import { ConfigExistsError } from '../config/config-exists-error.js';
import { EXAMPLE_CONFIG_YAML } from '../config/example-config.js';
import { initConfigFile } from '../config/init-config-file.js';
import { AgentError } from '../errors.js';
import { initEvidenceKeys, type InitEvidenceKeysResult } from '../evidence/keys.js';
import { evidenceDirectory } from '../runner/agent-context.js';
import { lookUpServiceUser, type ServiceUser } from './service-user.js';
import {
  SYSTEM_CONFIG_DIR,
  SYSTEM_CONFIG_FILE,
  SYSTEM_DATA_DIR,
  SYSTEM_ENV_FILE,
  SYSTEM_MODES,
  SYSTEM_SERVICE_USER,
} from './system-layout.js';

export interface SystemInstallOptions {
  /** The service user (default `esms`); it must exist. */
  user?: string | undefined;
  /**
   * Every path written is under this directory (`/` by default): a package or image being staged, or a
   * test. The config still says `dataDir: /var/lib/esms`, the path it will have once installed.
   */
  root?: string | undefined;
  /** Replace an existing config (kept as `.bak`); the env file and the keys are never replaced. */
  force?: boolean | undefined;
}

export interface SystemInstallResult {
  user: ServiceUser;
  configPath: string;
  /** `created`, `replaced` (with `--force`, the old one kept as `.bak`) or `kept` (already there). */
  config: 'created' | 'replaced' | 'kept';
  envPath: string;
  env: 'created' | 'kept';
  dataDir: string;
  keys: InitEvidenceKeysResult;
}

/** The example config with the system's data directory. */
export function systemConfigYaml(): string {
  const yaml = EXAMPLE_CONFIG_YAML.replace(/^dataDir: .*$/m, `dataDir: ${SYSTEM_DATA_DIR}`);
  if (yaml === EXAMPLE_CONFIG_YAML)
    throw new AgentError('internal', 'the example config has no dataDir line');
  return yaml;
}

const ENV_TEMPLATE = `# Secrets of the ESMS agent, named in ${SYSTEM_CONFIG_DIR}/${SYSTEM_CONFIG_FILE} as { env: NAME }.
# systemd reads this file (EnvironmentFile=) as root; keep it mode 0600, owned by root.
# Secrets de l'agent ESMS, nommés dans la configuration par { env: NOM } ; fichier lu par systemd.
# DUI_TOKEN=
# ESMS_ARS_TOKEN=
`;

/**
 * `esms init --system`: the layout the systemd unit expects, with the rights it needs. The config (the
 * commented example, data in /var/lib/esms) in /etc/esms, owned by root and readable by the service's
 * group; an env file for secrets, root only; the data directory and the evidence keys owned by the
 * service user, keys 0600. Run again, it keeps what is there (config, env file, keys) and puts the
 * ownership and modes right; the config is replaced only with `force`.
 *
 * @throws UsageError when the service user does not exist; AgentError `internal` when the rights cannot
 *   be given (not run as root).
 */
export async function installSystemLayout(options: SystemInstallOptions = {}): Promise<SystemInstallResult> {
  const user = await lookUpServiceUser(options.user ?? SYSTEM_SERVICE_USER);
  const root = options.root ?? '/';
  const configDir = join(root, SYSTEM_CONFIG_DIR);
  const configPath = join(configDir, SYSTEM_CONFIG_FILE);
  const envPath = join(configDir, SYSTEM_ENV_FILE);
  const dataDir = join(root, SYSTEM_DATA_DIR);
  // The config belongs to whoever installs (root), its group to the service: it reads, never writes.
  const installer = { uid: process.getuid?.() ?? 0, gid: process.getgid?.() ?? 0 };
  try {
    await mkdir(configDir, { recursive: true });
    await setAccess(configDir, SYSTEM_MODES.configDir, installer.uid, user.gid);
    let config: SystemInstallResult['config'];
    try {
      const written = await initConfigFile(configPath, {
        force: options.force,
        content: systemConfigYaml(),
        mode: SYSTEM_MODES.configFile,
        owner: { uid: installer.uid, gid: user.gid },
      });
      config = written.backupPath === null ? 'created' : 'replaced';
    } catch (error) {
      if (!(error instanceof ConfigExistsError)) throw error;
      config = 'kept';
      await setAccess(configPath, SYSTEM_MODES.configFile, installer.uid, user.gid);
    }
    const env = (await createIfMissing(envPath, ENV_TEMPLATE, SYSTEM_MODES.envFile)) ? 'created' : 'kept';
    await setAccess(envPath, SYSTEM_MODES.envFile, installer.uid, installer.gid);

    await mkdir(dataDir, { recursive: true });
    await setAccess(dataDir, SYSTEM_MODES.dataDir, user.uid, user.gid);
    const evidenceDir = evidenceDirectory(dataDir);
    await mkdir(evidenceDir, { recursive: true });
    await setAccess(evidenceDir, SYSTEM_MODES.dataDir, user.uid, user.gid);
    // Created 0600 by root, then given to the service user: never readable by anyone else meanwhile.
    const keys = await initEvidenceKeys(evidenceDir);
    await setAccess(keys.privateKeyPath, SYSTEM_MODES.secretFile, user.uid, user.gid);
    await setAccess(keys.pseudonymSecretPath, SYSTEM_MODES.secretFile, user.uid, user.gid);
    await setAccess(keys.publicKeyPath, SYSTEM_MODES.publicFile, user.uid, user.gid);
    return { user, configPath, config, envPath, env, dataDir, keys };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EPERM' || code === 'EACCES') {
      throw new AgentError(
        'internal',
        `esms init --system cannot give the files to ${user.name} (${code}): run it as root (sudo esms init --system)`,
        { cause: error },
      );
    }
    throw error;
  }
}

async function setAccess(path: string, mode: number, uid: number, gid: number): Promise<void> {
  await chown(path, uid, gid);
  await chmod(path, mode);
}

/** Writes `text` to a new file with `mode` (exclusive create: an existing file is left alone). */
async function createIfMissing(path: string, text: string, mode: number): Promise<boolean> {
  let handle;
  try {
    handle = await open(path, 'wx', mode);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
  try {
    await handle.chmod(mode);
    await handle.writeFile(text, 'utf8');
    await handle.sync();
  } finally {
    await handle.close();
  }
  return true;
}
