import { createHash } from 'node:crypto';
import type { AgentConfig } from './agent-config-schema.js';

/**
 * JSON with object keys sorted at every level and no whitespace: the same config always gives the same
 * bytes, whatever the key order in the file. `undefined` members are left out, as `JSON.stringify` does.
 */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (typeof value === 'object' && value !== null) {
    const sorted: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) {
      sorted[key] = sortKeys((value as Record<string, unknown>)[key]);
    }
    return sorted;
  }
  return value;
}

/**
 * SHA-256 (hex) of the canonical JSON of the parsed config, defaults applied and paths resolved: the
 * config a run actually used, recorded in its evidence (contract.md §5). Secrets are references in the
 * config, so no secret value enters the digest.
 */
export function configDigest(config: AgentConfig): string {
  return createHash('sha256').update(canonicalJson(config), 'utf8').digest('hex');
}
