import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { agentHome, type AgentHome, type E2eConfig } from './agent-config.js';
import { ReceiverProcess } from './servers.js';

/**
 * A reference receiver (its own temp directory) and an agent home pointed at it, both removed by
 * `cleanUpLoopbacks()` in the test file's `afterAll`.
 */
const cleanups: Array<() => Promise<void>> = [];

export async function loopbackAgent(
  config: Omit<E2eConfig, 'receiverUrl'>,
  receiverArgs: readonly string[] = [],
): Promise<{ home: AgentHome; receiver: ReceiverProcess }> {
  const arsDir = await mkdtemp(join(tmpdir(), 'esms-e2e-ars-'));
  cleanups.push(() => rm(arsDir, { recursive: true, force: true }));
  const receiver = await ReceiverProcess.start(arsDir, receiverArgs);
  const home = await agentHome({ ...config, receiverUrl: receiver.url });
  cleanups.push(() => home.cleanup());
  return { home, receiver };
}

export async function cleanUpLoopbacks(): Promise<void> {
  await Promise.all(cleanups.splice(0).map((c) => c()));
}
