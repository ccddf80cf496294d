/**
 * Where a system install lives (Debian with systemd; `examples/deploy/esms-agent.service` says the same):
 * the config under /etc, the data under /var/lib, the command under /opt (an npm prefix of its own, so
 * the unit's ExecStart does not depend on where the distribution's npm puts global commands).
 */
export const SYSTEM_CONFIG_DIR = '/etc/esms';
export const SYSTEM_CONFIG_FILE = 'esms.config.yaml';
/** Secrets the config names as `{ env: … }`, read by systemd (EnvironmentFile=) as root. */
export const SYSTEM_ENV_FILE = 'esms.env';
export const SYSTEM_DATA_DIR = '/var/lib/esms';
/** The user the service runs as (`User=esms`); it owns the data directory and the evidence keys. */
export const SYSTEM_SERVICE_USER = 'esms';
/** `npm install -g --prefix /opt/esms …` puts the command here (the unit's ExecStart). */
export const SYSTEM_INSTALL_PREFIX = '/opt/esms';

/** Modes of a system install: the service reads its config but cannot change it; only it reads its data. */
export const SYSTEM_MODES = {
  /** /etc/esms: root, group esms, traversable by the group. */
  configDir: 0o750,
  /** esms.config.yaml: root, group esms, readable by the group (it holds no secret, only references). */
  configFile: 0o640,
  /** esms.env: root only (systemd reads it before dropping privileges). */
  envFile: 0o600,
  /** /var/lib/esms and its evidence directory: the service user only. */
  dataDir: 0o700,
  /** The private key and the pseudonym secret: the service user only. */
  secretFile: 0o600,
  /** The public key: anyone may read it (an auditor gets it). */
  publicFile: 0o644,
} as const;
