import { readFile } from 'node:fs/promises';
import { Option } from 'commander';
import type { Command } from 'commander';
import { AgentError, UsageError } from '../errors.js';
import { EvidenceInvalidError } from '../evidence/errors.js';
import { formatVerificationText } from '../evidence/verification-text.js';
import { verifyEvidence } from '../evidence/verify.js';
import type { VerificationReport, VerifyOptions } from '../evidence/verify.js';

interface CommandOutput {
  write(text: string): unknown;
}

export interface VerifyCommandOptions {
  publicKey?: string | undefined;
  fingerprint?: string | undefined;
  format?: 'text' | 'json' | undefined;
}

/**
 * `esms verify PATH`: verifies an evidence store directory or an exported bundle, offline and with no
 * config. Prints the findings and a summary; throws `EvidenceInvalidError` (exit 4) unless everything
 * holds, or `nothing-sealed` (exit 6) for a store with no entry yet. With `--public-key FILE` (or `--fingerprint`), the evidence must be signed with that key.
 */
export async function runVerify(
  path: string,
  options: VerifyCommandOptions,
  io: { stdout: CommandOutput },
  verifyOptions: Omit<VerifyOptions, 'publicKeyPem' | 'expectedFingerprint'> = {},
): Promise<VerificationReport> {
  const expected: Pick<VerifyOptions, 'publicKeyPem' | 'expectedFingerprint'> = {};
  if (options.publicKey !== undefined) {
    try {
      expected.publicKeyPem = await readFile(options.publicKey, 'utf8');
    } catch (error) {
      throw new UsageError(`cannot read the public key file ${options.publicKey}: ${String(error)}`);
    }
  }
  if (options.fingerprint !== undefined) expected.expectedFingerprint = options.fingerprint;
  const report = await verifyEvidence(path, { ...verifyOptions, ...expected });
  io.stdout.write(
    options.format === 'json' ? `${JSON.stringify(report, null, 2)}\n` : formatVerificationText(report),
  );
  if (report.nothingSealed) {
    throw new AgentError(
      'nothing-sealed',
      `nothing sealed yet in ${path}: no run to verify (this is not a verification failure)`,
    );
  }
  if (!report.ok) {
    const first = report.findings.find((f) => f.severity === 'error');
    throw new EvidenceInvalidError(
      `evidence NOT verified: ${report.summary.errors} problem(s)${first === undefined ? '' : `, first: ${first.message}`}`,
    );
  }
  return report;
}

/** `esms verify PATH [--public-key FILE] [--fingerprint HEX] [--format text|json]` (contract.md §1, §5). */
export function registerVerifyCommand(program: Command): void {
  program
    .command('verify')
    .description(
      'verify an evidence store or an exported bundle: digests, links, signatures, and every figure recomputed',
    )
    .argument('<path>', 'evidence store directory, or bundle file (.tar / .tar.gz) from esms export-evidence')
    .option(
      '--public-key <file>',
      'the public key the evidence must be signed with (obtained from the signatory)',
    )
    .option('--fingerprint <hex>', 'or that key’s fingerprint, as printed on the report')
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'json']).default('text'))
    .action(async (path: string, options: VerifyCommandOptions) => {
      await runVerify(path, options, { stdout: process.stdout });
    });
}
