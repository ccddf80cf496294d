import { initEvidenceKeys } from '../../evidence/keys.js';
import { openAgentContext, type AgentContext, type AgentContextOptions } from '../agent-context.js';

/**
 * The context of an agent on which `esms init` was run: its config loaded and its evidence keys made
 * (a run never makes them itself).
 */
export async function initialisedContext(
  configPath: string,
  options: AgentContextOptions = {},
): Promise<AgentContext> {
  const ctx = await openAgentContext(configPath, options);
  await initEvidenceKeys(ctx.evidenceDir);
  return ctx;
}
