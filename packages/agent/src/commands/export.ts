import { readFile, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { Option, type Command } from 'commander';
import { parseMeasureDateFlag } from '../config/measure-date.js';
import type { ResultsDocument } from '@esms-numerique/sdk';
import { AgentError, UsageError } from '../errors.js';
import { resolveEvidenceDir } from '../evidence/evidence-dir.js';
import { EvidenceInvalidError } from '../evidence/errors.js';
import { verifyStoreRun } from '../evidence/verified-run.js';
import { figuresToCsv } from '../export/figures-csv.js';
import { measureReportBundle } from '../export/figures-fhir.js';

interface ExportFlags {
  format: 'csv' | 'fhir';
  config?: string;
  evidenceDir?: string;
  measureDate?: string;
  out?: string;
  excelFr?: boolean;
}

/**
 * `esms export --format csv|fhir`: the figures of the last sealed run (or of the last one for
 * `--measure-date`), exactly as sealed in the evidence, in the forms an ARS portal takes by upload.
 * Exported from the evidence rather than recomputed, and only once that run verifies (its figures
 * recomputed from its projection, the journal intact), so what is uploaded is what can be proven.
 */
export function registerExportCommand(program: Command): void {
  program
    .command('export')
    .description('the figures of the last sealed run as CSV or FHIR (for an ARS portal upload)')
    .addOption(
      new Option('--format <format>', 'csv or fhir (a Bundle of MeasureReports)')
        .choices(['csv', 'fhir'])
        .makeOptionMandatory(),
    )
    .option('--config <file>', 'config file (default: $ESMS_CONFIG or ./esms.config.yaml)')
    .option('--evidence-dir <dir>', 'read this evidence store instead of the config’s')
    .option(
      '--measure-date <YYYY-MM-DD>',
      'the last run sealed for this measurement date',
      parseMeasureDateFlag,
    )
    .option('--out <file>', 'write to this file instead of standard output')
    .option(
      '--excel-fr',
      'CSV for a French spreadsheet (Excel, LibreOffice): ";" separators, decimal comma, UTF-8 BOM',
    )
    .action(async (flags: ExportFlags) => {
      if (flags.excelFr === true && flags.format !== 'csv') {
        throw new UsageError('--excel-fr applies to --format csv only');
      }
      const { dir, tsaCaFile } = await resolveEvidenceDir({
        config: flags.config,
        evidenceDir: flags.evidenceDir,
      });
      const tsaCaPem = tsaCaFile === undefined ? undefined : await readFile(tsaCaFile, 'utf8');
      // Only what can be proven is exported (contract.md §1): the whole chain, and this run recomputed.
      const checked = await verifyStoreRun(
        dir,
        { measureDate: flags.measureDate },
        tsaCaPem === undefined ? {} : { tsaCaPem },
      );
      if (checked.verdict === 'nothing-sealed' || checked.verdict === 'no-such-run') {
        // Nothing sealed (or not for that D) is exit 6, as for verify and report (follow-up F5).
        throw new AgentError(
          'nothing-sealed',
          flags.measureDate === undefined
            ? `no sealed run in ${dir}: run esms run-once first`
            : `no run sealed for ${flags.measureDate} in ${dir}`,
        );
      }
      const run = checked.run;
      if (checked.verdict !== 'verified' || run === null) {
        const which =
          run === null ? '' : `of run ${String(run.entry.payload['runId'])} (D=${run.results.measureDate}) `;
        throw new EvidenceInvalidError(
          `the figures ${which}are not exported: the evidence does not verify (${checked.problem ?? 'not recomputed'}); ` +
            `see esms verify ${dir}`,
        );
      }
      const results = run.results as unknown as ResultsDocument;
      const absent = absentEstablishments(run.entry.payload['scope'], results);
      const text =
        flags.format === 'csv'
          ? figuresToCsv(results, flags.excelFr === true ? 'excel-fr' : 'rfc4180', absent)
          : `${JSON.stringify(measureReportBundle(results, run.entry.time, run.seal), null, 2)}\n`;
      if (absent.length > 0) {
        // Said whatever the format: a FHIR Bundle has no place for an ESSMS without figures.
        process.stderr.write(
          `esms: configured ESSMS absent from the data of this run, no figures exported for them: ${absent.join(', ')}\n`,
        );
      }
      if (flags.out === undefined) {
        process.stdout.write(text);
      } else {
        await writeFile(resolve(flags.out), text);
        process.stderr.write(
          `figures of run ${String(run.entry.payload['runId'])} (${results.measureDate}) written to ${flags.out}\n`,
        );
      }
    });
}

/** The ESSMS the run was scoped to (as sealed) that have no figures in it; none for an unscoped run. */
function absentEstablishments(sealedScope: unknown, results: ResultsDocument): string[] {
  const scope =
    typeof sealedScope === 'object' && sealedScope !== null
      ? (sealedScope as { establishments?: unknown }).establishments
      : undefined;
  if (!Array.isArray(scope)) return [];
  const present = new Set(results.establishments.map((e) => e.finess));
  return scope.filter((f): f is string => typeof f === 'string' && !present.has(f)).sort();
}
