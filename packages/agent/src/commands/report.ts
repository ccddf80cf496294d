import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { AgentError, UsageError } from '../errors.js';
import { writeFileDurably } from '../durable-fs.js';
import { EvidenceInvalidError } from '../evidence/errors.js';
import { resolveEvidenceDir } from '../evidence/evidence-dir.js';
import { verifyEvidence } from '../evidence/verify.js';
import type { VerifyOptions } from '../evidence/verify.js';
import { loadReportInput } from '../report/load-report-input.js';
import { renderReport } from '../report/render-report.js';

interface CommandOutput {
  write(text: string): unknown;
}

export const DEFAULT_REPORT_FILE = 'esms-report.html';

export interface ReportCommandOptions {
  config?: string | undefined;
  evidenceDir?: string | undefined;
  out?: string | undefined;
  publicKey?: string | undefined;
}

/**
 * `esms report`: verifies the evidence store, then writes the signatory's report (one offline HTML file,
 * print it to PDF) from the runs sealed in it. The report is written even when verification fails (it
 * then says so on its first page), and the command then exits 4.
 */
export async function runReport(
  options: ReportCommandOptions,
  io: { stdout: CommandOutput },
  extra: { now?: () => Date; verifyOptions?: Omit<VerifyOptions, 'publicKeyPem'> } = {},
): Promise<{ outFile: string; ok: boolean }> {
  if (options.config !== undefined && options.evidenceDir !== undefined) {
    throw new UsageError('give --config or --evidence-dir, not both');
  }
  const { dir, retentionYears } = await resolveEvidenceDir(options);
  let publicKeyPem: string | undefined;
  if (options.publicKey !== undefined) {
    try {
      publicKeyPem = await readFile(options.publicKey, 'utf8');
    } catch (error) {
      throw new UsageError(`cannot read the public key file ${options.publicKey}: ${String(error)}`);
    }
  }
  const verification = await verifyEvidence(dir, {
    absentStoreIsEmpty: true,
    ...(retentionYears === undefined ? {} : { retentionYears }),
    ...extra.verifyOptions,
    ...(publicKeyPem === undefined ? {} : { publicKeyPem }),
  });
  const input = await loadReportInput(dir, verification, extra.now === undefined ? {} : { now: extra.now });
  const outFile = resolve(options.out ?? DEFAULT_REPORT_FILE);
  try {
    await writeFileDurably(outFile, renderReport(input));
  } catch (error) {
    throw new AgentError('report-failed', `cannot write the report to ${outFile}: ${String(error)}`, {
      cause: error,
    });
  }
  io.stdout.write(`Report written to ${outFile} (${input.runs.length} sealed run(s))\n`);
  if (verification.nothingSealed) {
    throw new AgentError(
      'nothing-sealed',
      `the report was written: nothing is sealed yet in ${dir}, so there is nothing to sign (a first esms run-once seals a run)`,
    );
  }
  if (!verification.ok) {
    throw new EvidenceInvalidError(
      `the report was written, but the evidence does NOT verify (${verification.summary.errors} problem(s)): run esms verify ${dir}`,
    );
  }
  return { outFile, ok: verification.ok };
}

/** `esms report [--config FILE | --evidence-dir DIR] [--out FILE.html] [--public-key FILE]` (contract.md §1). */
export function registerReportCommand(program: Command): void {
  program
    .command('report')
    .description('write the signatory’s report (offline HTML, prints to A4 PDF) from the verified evidence')
    .option(
      '--config <file>',
      'config file (default: $ESMS_CONFIG, else ./esms.config.yaml); the store is <dataDir>/evidence',
    )
    .option('--evidence-dir <dir>', 'the evidence store directory, instead of reading a config')
    .option('--out <file>', `HTML file to write (default ./${DEFAULT_REPORT_FILE})`)
    .option('--public-key <file>', 'the public key the evidence must be signed with')
    .action(async (options: ReportCommandOptions) => {
      await runReport(options, { stdout: process.stdout });
    });
}
