import { canonicalJson } from '../evidence/canonical-json.js';
import { sha256Hex } from '../shared/sha256-hex.js';
import type { AgentConfig } from './agent-config-schema.js';

/**
 * SHA-256 (hex) of the canonical JSON of the parsed config, defaults applied and paths resolved: the
 * config a run actually used, recorded in its evidence (contract.md §5). Secrets are references in the
 * config, so no secret value enters the digest.
 */
export function configDigest(config: AgentConfig): string {
  return sha256Hex(canonicalJson(config));
}
