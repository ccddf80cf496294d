import { join, resolve } from 'node:path';
import { loadConfig } from '../config/load-config.js';
import { resolveConfigPath } from '../config/config-path.js';

/** The evidence store's directory inside the agent's data directory (`<dataDir>/evidence`). */
export const EVIDENCE_SUBDIR = 'evidence';

export function evidenceDirOf(dataDir: string): string {
  return join(dataDir, EVIDENCE_SUBDIR);
}

/**
 * The store a command works on: `--evidence-dir DIR` when given (no config needed: an auditor's
 * machine has none), else `<dataDir>/evidence` from the config (`--config`, `ESMS_CONFIG`, or
 * `./esms.config.yaml`).
 */
export async function resolveEvidenceDir(options: {
  evidenceDir?: string | undefined;
  config?: string | undefined;
}): Promise<{
  dir: string;
  retentionYears: number | undefined;
  /** The CA certificate file of the configured time-stamping authority, if any. */
  tsaCaFile: string | undefined;
}> {
  if (options.evidenceDir !== undefined)
    return { dir: resolve(options.evidenceDir), retentionYears: undefined, tsaCaFile: undefined };
  const loaded = await loadConfig(resolveConfigPath(options.config));
  return {
    dir: evidenceDirOf(loaded.config.dataDir),
    retentionYears: loaded.config.evidence.retentionYears,
    tsaCaFile: loaded.config.evidence.timestamping?.caFile ?? undefined,
  };
}
