import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { Option, type Command } from 'commander';
import { parseMeasureDateFlag } from '../config/measure-date.js';
import type { ResultsDocument } from '@esms-numerique/sdk';
import { AgentError } from '../errors.js';
import { resolveEvidenceDir } from '../evidence/evidence-dir.js';
import { readJournalEntries } from '../evidence/journal.js';
import { EvidenceInvalidError } from '../evidence/errors.js';
import { readSealedRuns } from '../evidence/sealed-runs.js';
import { verifyEvidence } from '../evidence/verify.js';
import { figuresToCsv } from '../export/figures-csv.js';
import { measureReportBundle } from '../export/figures-fhir.js';

interface ExportFlags {
  format: 'csv' | 'fhir';
  config?: string;
  evidenceDir?: string;
  measureDate?: string;
  out?: string;
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
    .action(async (flags: ExportFlags) => {
      const { dir } = await resolveEvidenceDir({ config: flags.config, evidenceDir: flags.evidenceDir });
      const runs = await readSealedRuns(dir, await readJournalEntries(dir));
      const wanted = runs.filter(
        (r) => flags.measureDate === undefined || r.results.measureDate === flags.measureDate,
      );
      const last = wanted.at(-1);
      if (last === undefined) {
        throw new AgentError(
          'nothing-computed',
          flags.measureDate === undefined
            ? `no sealed run in ${dir}: run esms run-once first`
            : `no run sealed for ${flags.measureDate} in ${dir}`,
        );
      }
      // Only what can be proven is exported (contract.md §1): the chain, and this run recomputed.
      const verification = await verifyEvidence(dir, { recomputeRuns: (e) => e.seq === last.entry.seq });
      const verified = verification.runs.find((r) => r.seq === last.entry.seq);
      const problem = verification.findings.find((f) => f.severity === 'error');
      if (verified?.ok !== true || problem !== undefined) {
        throw new EvidenceInvalidError(
          `the figures of run ${String(last.entry.payload['runId'])} (D=${last.results.measureDate}) ` +
            `are not exported: the evidence does not verify (${problem?.message ?? 'not recomputed'}); ` +
            `see esms verify ${dir}`,
        );
      }
      const results = last.results as unknown as ResultsDocument;
      const text =
        flags.format === 'csv'
          ? figuresToCsv(results)
          : `${JSON.stringify(measureReportBundle(results, last.entry.time), null, 2)}\n`;
      if (flags.out === undefined) {
        process.stdout.write(text);
      } else {
        await writeFile(resolve(flags.out), text);
        process.stderr.write(
          `figures of run ${String(last.entry.payload['runId'])} (${results.measureDate}) written to ${flags.out}\n`,
        );
      }
    });
}
