import { readFile, stat } from 'node:fs/promises';
import { dirname, extname, resolve } from 'node:path';
import { Option, type Command } from 'commander';
import { resolveConfigPath } from '../config/config-path.js';
import { loadConfig } from '../config/load-config.js';
import { parseMeasureDateFlag } from '../config/measure-date.js';
import { AgentError, UsageError } from '../errors.js';
import { writeFileDurably } from '../durable-fs.js';
import { EvidenceInvalidError } from '../evidence/errors.js';
import { evidenceDirOf } from '../evidence/evidence-dir.js';
import { verifyStoreRun } from '../evidence/verified-run.js';
import type { VerifyOptions } from '../evidence/verify-options.js';
import { buildAttestation } from '../report/build-attestation.js';
import { loadReportInput } from '../report/load-report-input.js';
import type { InstallationFacts } from '../report/load-report-input.js';
import { renderHtml } from '../report/render-html.js';
import { selectReport } from '../report/select-report.js';
import type { SelectedReport } from '../report/select-report.js';
import { AGENT_VERSION } from '../version.js';

interface CommandOutput {
  write(text: string): unknown;
}

export type ReportFormat = 'pdf' | 'html';

export const DEFAULT_REPORT_FILES: Readonly<Record<ReportFormat, string>> = {
  pdf: 'esms-attestation.pdf',
  html: 'esms-attestation.html',
};

export interface ReportCommandOptions {
  config?: string | undefined;
  evidenceDir?: string | undefined;
  out?: string | undefined;
  publicKey?: string | undefined;
  /** `pdf` or `html`; by default the `--out` file's extension says, else PDF. */
  format?: ReportFormat | undefined;
  measureDate?: string | undefined;
  organisation?: string | undefined;
  finess?: string[] | undefined;
}

export interface ReportCommandResult {
  outFile: string;
  format: ReportFormat;
  ok: boolean;
  pages: number;
}

/**
 * `esms report`: verifies the evidence store, then writes the signatory's attestation (PDF made in Node,
 * or one offline HTML file) for the run of D (default: the last sealed one), for one organisation, some
 * ESSMS, or everything configured. The document is written even when verification fails (with the red
 * verdict and no signature block) or when nothing is sealed yet (a neutral page); the command then
 * exits 4 or 6.
 */
export async function runReport(
  options: ReportCommandOptions,
  io: { stdout: CommandOutput },
  extra: { now?: () => Date; verifyOptions?: Omit<VerifyOptions, 'publicKeyPem'> } = {},
): Promise<ReportCommandResult> {
  if (options.config !== undefined && options.evidenceDir !== undefined) {
    throw new UsageError('give --config or --evidence-dir, not both');
  }
  if (options.organisation !== undefined && (options.finess?.length ?? 0) > 0) {
    throw new UsageError('give --organisation or --finess, not both');
  }
  const fromExtension = formatFromExtension(options.out);
  if (options.format !== undefined && fromExtension !== undefined && fromExtension !== options.format) {
    // HTML written into a .pdf (or the reverse) opens as garbage in the signatory's viewer.
    throw new UsageError(
      `--format ${options.format} and --out ${options.out ?? ''} disagree: name the file .${options.format}, or drop --format`,
    );
  }
  const format = options.format ?? fromExtension ?? 'pdf';
  const outFile = resolve(options.out ?? DEFAULT_REPORT_FILES[format]);
  await checkOutputDirectory(outFile);

  let dir: string;
  let retentionYears: number | undefined;
  let installation: InstallationFacts | undefined;
  let store: { option: '--config' | '--evidence-dir'; path: string };
  if (options.evidenceDir !== undefined) {
    dir = resolve(options.evidenceDir);
    store = { option: '--evidence-dir', path: dir };
  } else {
    const configPath = resolveConfigPath(options.config);
    store = { option: '--config', path: resolve(configPath) };
    const { config } = await loadConfig(configPath);
    dir = evidenceDirOf(config.dataDir);
    retentionYears = config.evidence.retentionYears;
    installation = {
      dataDir: config.dataDir,
      arsConfigured: config.ars !== null,
      deadlineHours: config.ars?.retry.deadlineHours ?? null,
      establishments: config.establishments.map((e) => e.finess),
    };
  }
  let publicKeyPem: string | undefined;
  if (options.publicKey !== undefined) {
    try {
      publicKeyPem = await readFile(options.publicKey, 'utf8');
    } catch (error) {
      throw new UsageError(`cannot read the public key file ${options.publicKey}: ${String(error)}`);
    }
  }
  // The evidence helper's one verification API: the whole chain checked, the run of D recomputed.
  const checked = await verifyStoreRun(
    dir,
    { measureDate: options.measureDate },
    {
      absentStoreIsEmpty: true,
      ...(retentionYears === undefined ? {} : { retentionYears }),
      ...extra.verifyOptions,
      ...(publicKeyPem === undefined ? {} : { publicKeyPem }),
    },
  );
  const verification = checked.report;
  const input = await loadReportInput(dir, checked, {
    ...(extra.now === undefined ? {} : { now: extra.now }),
    ...(installation === undefined ? {} : { installation }),
  });
  // With nothing sealed, or no run readable, there is nothing to select: the page says so.
  const selected: SelectedReport | null = input.runs.length === 0 ? null : selectReport(input, options);
  const document = buildAttestation(input, selected, {
    agent: `esms ${AGENT_VERSION} (esms-numerique)`,
    store,
  });
  // pdfkit (its fonts, their inflater) is loaded for a PDF only: `esms --help`, which loads every verb's
  // module, and an HTML report, do not pay for it.
  const bytes =
    format === 'pdf'
      ? await (await import('../report/render-pdf.js')).renderPdf(document)
      : renderHtml(document);
  try {
    await writeFileDurably(outFile, bytes);
  } catch (error) {
    throw new AgentError('report-failed', `cannot write the report to ${outFile}: ${String(error)}`, {
      cause: error,
    });
  }
  const pages = document.pages.length;
  io.stdout.write(
    selected === null
      ? `Report written to ${outFile} (nothing to attest)\n`
      : `Report written to ${outFile}: attestation for D=${selected.run.measureDate}, ${pages} ${pages === 1 ? 'organisation' : 'organisations'}, ${selected.results.establishments.length} ESSMS\n`,
  );
  if (verification.nothingSealed) {
    throw new AgentError(
      'nothing-sealed',
      `the report was written: nothing is sealed yet in ${dir}, so there is nothing to sign (a first esms run-once seals a run)`,
    );
  }
  if (!input.verification.ok) {
    const errors = verification.summary.errors;
    throw new EvidenceInvalidError(
      `the report was written with the do-not-sign verdict: the evidence does NOT verify (${errors} ${errors === 1 ? 'problem' : 'problems'}; first: ${checked.problem ?? 'unknown'}); see esms verify ${dir}`,
    );
  }
  return { outFile, format, ok: true, pages };
}

function formatFromExtension(out: string | undefined): ReportFormat | undefined {
  if (out === undefined) return undefined;
  const extension = extname(out).toLowerCase();
  if (extension === '.pdf') return 'pdf';
  if (extension === '.html' || extension === '.htm') return 'html';
  return undefined;
}

/** The report goes into an existing directory: a mistyped path is an error, never a silent mkdir -p. */
async function checkOutputDirectory(outFile: string): Promise<void> {
  const parent = dirname(outFile);
  let isDirectory: boolean;
  try {
    isDirectory = (await stat(parent)).isDirectory();
  } catch {
    throw new UsageError(`--out ${outFile}: the directory ${parent} does not exist (create it first)`);
  }
  if (!isDirectory) throw new UsageError(`--out ${outFile}: ${parent} is not a directory`);
}

/** A FINESS géographique or juridique as given on the command line (9 characters, Corsica's 2A/2B). */
function parseFiness(value: string, previous: string[] | undefined): string[] {
  const finess = value.trim().toUpperCase();
  if (!/^(\d{2}|2A|2B)\d{7}$/.test(finess)) {
    throw new UsageError(`--finess ${value}: not a FINESS number (9 characters, e.g. 970407680)`);
  }
  return [...(previous ?? []), finess];
}

function parseOrganisation(value: string): string {
  const finess = value.trim().toUpperCase();
  if (!/^(\d{2}|2A|2B)\d{7}$/.test(finess)) {
    throw new UsageError(`--organisation ${value}: not a FINESS juridique (9 characters, e.g. 970407391)`);
  }
  return finess;
}

/**
 * `esms report [--config FILE | --evidence-dir DIR] [--measure-date D] [--organisation EJ | --finess ET…]
 * [--format pdf|html] [--out FILE] [--public-key FILE]` (contract.md §1).
 */
export function registerReportCommand(program: Command): void {
  program
    .command('report')
    .description('write the signatory’s attestation (PDF, or offline HTML) from the verified evidence')
    .option(
      '--config <file>',
      'config file (default: $ESMS_CONFIG, else ./esms.config.yaml); the store is <dataDir>/evidence',
    )
    .option('--evidence-dir <dir>', 'the evidence store directory, instead of reading a config')
    .option(
      '--measure-date <YYYY-MM-DD>',
      'the run sealed for this measurement date (default: the last sealed run)',
      parseMeasureDateFlag,
    )
    .option(
      '--organisation <finess-ej>',
      'only this organisme gestionnaire (its FINESS juridique)',
      parseOrganisation,
    )
    .option(
      '--finess <finess-et>',
      'only this ESSMS (its FINESS géographique); repeat for several',
      parseFiness,
    )
    .addOption(
      new Option('--format <format>', 'pdf or html (default: from the --out extension, else pdf)').choices([
        'pdf',
        'html',
      ]),
    )
    .option(
      '--out <file>',
      `file to write (default ./${DEFAULT_REPORT_FILES.pdf} or ./${DEFAULT_REPORT_FILES.html})`,
    )
    .option('--public-key <file>', 'the public key the evidence must be signed with')
    .action(async (options: ReportCommandOptions) => {
      await runReport(options, { stdout: process.stdout });
    });
}
