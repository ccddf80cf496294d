import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { agentHome, type AgentHome } from './support/agent-config.js';
import { FIXTURE_EXPORT } from './support/expectations.js';
import { cleanUpLoopbacks, loopbackAgent } from './support/loopback.js';
import { esms, killChildren } from './support/processes.js';

// Audit G4 (issue 10 §2): the submission id is derived from the figures alone, so the same figures sealed
// again in another data directory (a reinstall, a lost outbox) are sent under the same Idempotency-Key with
// another seal. The ARS keeps the first seal and answers as for a duplicate; it never refuses them (422).
const SEAL = 'https://esms-numerique.github.io/fhir/StructureDefinition/evidence-seal';
const homes: AgentHome[] = [];
afterAll(async () => {
  await killChildren();
  await cleanUpLoopbacks();
  await Promise.all(homes.map((h) => h.cleanup()));
});

interface Record {
  outcome: string;
  submissionId: string;
  detail?: string;
  error: unknown;
}
const runOnce = async (home: AgentHome) => {
  const run = await esms(['run-once', '--config', home.configPath, '--measure-date', '2024-04-01']);
  return { ...run, record: JSON.parse(run.stdout) as Record };
};

describe('the same figures sealed in another data directory (built CLI, reference receiver)', () => {
  it('are received as a duplicate: 200, the first seal kept, this run verifies; a re-run says nothing was sent', async () => {
    const { home: first, receiver } = await loopbackAgent({ ndjsonDir: FIXTURE_EXPORT });
    const one = await runOnce(first);
    expect(one.code, one.stderr).toBe(0);
    expect(one.record.outcome).toBe('submitted');
    expect(one.record.detail).toBeUndefined();
    const seals = new Set(
      (await receiver.reports()).map((r) => r.extension?.find((e) => e.url === SEAL)?.valueString),
    );
    expect(seals.size).toBe(1);

    // A reinstall: another data directory (another key, another chain), the same ARS, the same figures.
    const second = await agentHome({ ndjsonDir: FIXTURE_EXPORT, receiverUrl: receiver.url });
    homes.push(second);
    const two = await runOnce(second);
    expect(two.code, two.stdout).toBe(0);
    expect(two.record).toMatchObject({
      outcome: 'submitted',
      submissionId: one.record.submissionId,
      error: null,
    });
    expect(two.record.detail).toBeUndefined();
    const stats = await receiver.stats();
    expect(stats.storedReports).toBe(18);
    expect(stats.rejected).toBe(0);
    // The ARS still holds the first seal for every report.
    expect(
      new Set((await receiver.reports()).map((r) => r.extension?.find((e) => e.url === SEAL)?.valueString)),
    ).toEqual(seals);
    // This installation's evidence verifies: the receipt carries its own request seal; the reports' seals
    // from the other journal are named, not taken for a rewritten chain.
    const verify = await esms(['verify', `${second.dataDir}/evidence`]);
    expect(verify.code, verify.stdout).toBe(0);
    expect(verify.stdout).toMatch(/already held .* under a seal of another journal/);

    // Run again in the second home: the outbox holds the receipt, nothing is sent, and the record says so.
    const requests = (await receiver.stats()).requests;
    const three = await runOnce(second);
    expect(three.code, three.stderr).toBe(0);
    expect(three.record).toMatchObject({ outcome: 'submitted', detail: 'already-submitted' });
    expect(three.stderr).toContain('already received by the ARS');
    expect((await receiver.stats()).requests).toBe(requests);
  });

  it('verify --expect-head accepts the hash grouped by four as the signed report prints it (audit G8)', async () => {
    const { home, receiver } = await loopbackAgent({ ndjsonDir: FIXTURE_EXPORT });
    expect((await runOnce(home)).code).toBe(0);
    const store = `${home.dataDir}/evidence`;
    const lines = (await readFile(join(store, 'journal.ndjson'), 'utf8')).split('\n').filter(Boolean);
    const head = (JSON.parse(lines.at(-1) ?? '{}') as { hash: string }).hash;
    const grouped = head.replace(/(.{4})(?!$)/g, '$1 ');
    expect(grouped).toMatch(/^[0-9a-f]{4}( [0-9a-f]{4}){15}$/);
    const verify = await esms(['verify', store, '--expect-head', grouped]);
    expect(verify.code, verify.stdout + verify.stderr).toBe(0);
    expect(verify.stdout).toContain(`Expected head: ${head}`);
    const wrong = await esms(['verify', store, '--expect-head', grouped.replace(/^..../, '0000')]);
    expect(wrong.code).toBe(4);
    // Anything but hex digits and spaces is still a usage error.
    expect((await esms(['verify', store, '--expect-head', `${grouped}:`])).code).toBe(2);
    expect(await receiver.reports()).toHaveLength(18);
  });
});
