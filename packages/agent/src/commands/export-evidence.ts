import { resolve } from 'node:path';
import type { Command } from 'commander';
import { AgentError, UsageError } from '../errors.js';
import { readJournal } from '../evidence/journal.js';
import { resolveEvidenceDir } from '../evidence/evidence-dir.js';
import { exportEvidence } from '../evidence/export.js';
import type { ExportEvidenceResult } from '../evidence/export.js';
import { AGENT_VERSION } from '../version.js';

interface CommandOutput {
  write(text: string): unknown;
}

export interface ExportEvidenceCommandOptions {
  out?: string | undefined;
  config?: string | undefined;
  evidenceDir?: string | undefined;
}

/**
 * `esms export-evidence --out FILE`: one self-contained bundle (tar, gzipped when FILE ends in .gz/.tgz)
 * for an auditor: journal, referenced blobs, public key, MANIFEST.txt. Never the private key or the
 * pseudonym secret.
 */
export async function runExportEvidence(
  options: ExportEvidenceCommandOptions,
  io: { stdout: CommandOutput },
): Promise<ExportEvidenceResult> {
  if (options.out === undefined) throw new UsageError('export-evidence needs --out FILE');
  if (options.config !== undefined && options.evidenceDir !== undefined) {
    throw new UsageError('give --config or --evidence-dir, not both');
  }
  const { dir } = await resolveEvidenceDir(options);
  // Nothing sealed is not a failure of the export (follow-up F5): the same exit 6 as verify and report.
  if ((await readJournal(dir)).lines.length === 0) {
    throw new AgentError(
      'nothing-sealed',
      `nothing sealed yet in ${dir}: no evidence to export (run esms run-once first)`,
    );
  }
  const result = await exportEvidence(dir, resolve(options.out), { softwareVersion: AGENT_VERSION });
  io.stdout.write(
    `Evidence bundle written to ${result.outFile} (${result.bytes} bytes): ${result.entries} entries, ` +
      `${result.blobs} blobs, last seq ${result.lastSeq ?? '-'}\n` +
      `Key fingerprint: ${result.fingerprint}\nLast entry hash: ${result.lastHash ?? '-'}\n` +
      // The fingerprint works from any directory; the public key file is inside the bundle (follow-up F4).
      `Verify with: esms verify ${result.outFile} --fingerprint "${result.fingerprint}"\n` +
      (result.runsWithClearIds === 0
        ? ''
        : `Note: ${result.runsWithClearIds} run(s) sealed by esms 0.1 hold DUI record ids (not names, not INS) in ` +
          'their data-quality findings; sealed bytes cannot change, the MANIFEST says so\n'),
  );
  return result;
}

/** `esms export-evidence --out FILE [--config FILE | --evidence-dir DIR]` (contract.md §1). */
export function registerExportEvidenceCommand(program: Command): void {
  program
    .command('export-evidence')
    .description('write a self-contained evidence bundle for an auditor (verify it with esms verify FILE)')
    .requiredOption('--out <file>', 'bundle to write (.tar, or .tar.gz / .tgz to compress)')
    .option(
      '--config <file>',
      'config file (default: $ESMS_CONFIG, else ./esms.config.yaml); the store is <dataDir>/evidence',
    )
    .option('--evidence-dir <dir>', 'the evidence store directory, instead of reading a config')
    .action(async (options: ExportEvidenceCommandOptions) => {
      await runExportEvidence(options, { stdout: process.stdout });
    });
}
