import { readFile, stat } from 'node:fs/promises';
import { InvalidArgumentError, Option } from 'commander';
import type { Command } from 'commander';
import { AgentError, UsageError } from '../errors.js';
import { EvidenceInvalidError } from '../evidence/errors.js';
import { formatVerificationText } from '../evidence/verification-text.js';
import { verifyEvidence } from '../evidence/verify.js';
import type { VerificationReport } from '../evidence/verification-report.js';
import type { VerifyOptions } from '../evidence/verify-options.js';

interface CommandOutput {
  write(text: string): unknown;
}

export interface VerifyCommandOptions {
  publicKey?: string | undefined;
  fingerprint?: string | undefined;
  expectHead?: string | undefined;
  tsaCa?: string | undefined;
  maxExtractBytes?: number | undefined;
  format?: 'text' | 'json' | undefined;
}

/** `--max-extract-bytes 512M` (K, M, G, T: powers of 1024; plain digits are bytes). */
export function parseByteSize(value: string): number {
  const match = /^(\d+)\s*([KMGT]?)i?B?$/i.exec(value.trim());
  if (match === null) throw new InvalidArgumentError('a size such as 500M, 32G or 1048576');
  const power = ' KMGT'.indexOf((match[2] ?? '').toUpperCase() || ' ');
  const bytes = Number(match[1]) * 1024 ** Math.max(0, power);
  if (!Number.isSafeInteger(bytes) || bytes < 1)
    throw new InvalidArgumentError('a size such as 500M, 32G or 1048576');
  return bytes;
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
  const expected: Pick<
    VerifyOptions,
    'publicKeyPem' | 'expectedFingerprint' | 'expectedHead' | 'tsaCaPem' | 'maxExtractBytes'
  > = {};
  if (options.expectHead !== undefined) {
    // The signed report prints the hash in groups of four (`923f d041 …`): spaces are accepted, as for
    // --fingerprint, but nothing else.
    const head = options.expectHead.replace(/\s+/g, '');
    if (!/^[0-9a-fA-F]{64}$/.test(head))
      throw new UsageError(
        `--expect-head must be the 64 hex digits of an entry hash, not ${options.expectHead}`,
      );
    expected.expectedHead = head.toLowerCase();
  }
  if (options.tsaCa !== undefined) expected.tsaCaPem = await readFlagFile(options.tsaCa, 'TSA certificate');
  if (options.maxExtractBytes !== undefined) expected.maxExtractBytes = options.maxExtractBytes;
  if (options.publicKey !== undefined)
    expected.publicKeyPem = await readFlagFile(options.publicKey, 'public key');
  if (options.fingerprint !== undefined) expected.expectedFingerprint = options.fingerprint;
  // A path that does not exist is a typo, not tampering (follow-up F5): bad usage, exit 2.
  try {
    await stat(path);
  } catch (error) {
    throw new UsageError(
      `${path}: ${isErrnoException(error) && error.code === 'ENOENT' ? 'no such file or directory' : String(error)} ` +
        '(give an evidence store directory, or a bundle written by esms export-evidence)',
    );
  }
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

/**
 * `esms verify PATH [--public-key FILE | --fingerprint HEX] [--expect-head HASH] [--tsa-ca FILE]
 * [--max-extract-bytes SIZE] [--format text|json]` (contract.md §1, §5).
 */
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
    .option(
      '--expect-head <hash>',
      'an entry hash the chain must contain: the one printed on the signed report, or the evidence seal the ARS holds',
    )
    .option(
      '--tsa-ca <file>',
      'the time-stamping authority’s CA certificate (PEM): RFC 3161 tokens are checked against it',
    )
    .option(
      '--max-extract-bytes <size>',
      'at most this much written when extracting a bundle (default 32G; a gzipped bundle also at most 200× its size)',
      parseByteSize,
    )
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'json']).default('text'))
    .action(async (path: string, options: VerifyCommandOptions) => {
      await runVerify(path, options, { stdout: process.stdout });
    });
}

function isErrnoException(error: unknown): error is NodeJS.ErrnoException {
  return error instanceof Error && 'code' in error;
}

/** A file named by a flag (`--tsa-ca`, `--public-key`): one that cannot be read is bad usage (exit 2). */
async function readFlagFile(file: string, what: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    throw new UsageError(`cannot read the ${what} file ${file}: ${String(error)}`);
  }
}
