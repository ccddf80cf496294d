import type { Command } from 'commander';
import { resolveConfigPath } from '../config/config-path.js';
import { rotateEvidenceKey } from '../evidence/rotate-key.js';
import { readJournalEntries } from '../evidence/journal.js';
import { stampPending } from '../evidence/timestamping.js';
import { openAgentContext } from '../runner/agent-context.js';
import { evidenceTimestamping } from '../runner/run-dependencies.js';
import { acquireRunLock } from '../runner/run-lock.js';

/**
 * `esms rotate-key [--config FILE]`: replaces the evidence signing key. A `key-rotated` entry signed by the
 * old key names the new one, then the new key replaces the old private key (gone afterwards); `esms
 * verify` follows the rotation. Holds the run lock: no run appends meanwhile.
 */
export function registerRotateKeyCommand(program: Command): void {
  program
    .command('rotate-key')
    .description('replace the evidence signing key (the journal records the rotation, signed by the old key)')
    .option('--config <file>', 'config file (default: $ESMS_CONFIG or ./esms.config.yaml)')
    .action(async (flags: { config?: string }) => {
      const ctx = await openAgentContext(resolveConfigPath(flags.config));
      const lock = await acquireRunLock(ctx.dataDir);
      try {
        const result = await rotateEvidenceKey(ctx.evidenceDir, { now: ctx.now });
        const timestamping = await evidenceTimestamping(ctx);
        if (timestamping !== null)
          await stampPending(ctx.evidenceDir, await readJournalEntries(ctx.evidenceDir), timestamping);
        process.stdout.write(
          `Evidence key rotated (journal entry seq ${result.entry.seq}, signed by the old key).\n` +
            `Old key fingerprint: ${result.previousFingerprint}\n` +
            `New key fingerprint: ${result.newFingerprint}\n` +
            'Give the new fingerprint to the signatory and the auditors; back up the data directory now.\n',
        );
      } finally {
        await lock.release();
      }
    });
}
