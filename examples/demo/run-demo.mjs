#!/usr/bin/env node
// The README's main command: the whole job end to end on the bundled sample data, all on 127.0.0.1.
//
//   1. a loopback FHIR server serves examples/sample-data (standing in for the DUI's FHIR API);
//   2. the reference ARS receiver (examples/receiver) stands in for the regional collection endpoint;
//   3. `esms run-once` runs for three monthly measurement dates: pull → compute → seal evidence → submit;
//   4. `esms status`, `esms verify`, `esms export-evidence` and `esms report` show what a signatory gets.
//
// Plain JavaScript so it runs with `node` after `pnpm build`, nothing else. Writes only under `.demo/`.
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startFhirServer } from '../fhir-server/fhir-server.mjs';
import { createReceiver } from '../receiver/receiver.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const demoDir = join(root, '.demo');
const sampleData = join(root, 'examples/sample-data');
const cli = join(root, 'packages/agent/dist/main.js');
const LAST_MEASURE_DATE = '2024-04-01';
const MEASURE_DATES = ['2024-02-01', '2024-03-01', LAST_MEASURE_DATE];
// The ESSMS of the sample data (FINESS géographiques), as an IT team lists its own in the config.
const SAMPLE_ESSMS = ['130007313', '690007356', '750006827', '970108007', '970407680'];
// One of the sample's organismes gestionnaires (FINESS juridique): Association Les Chemins de Traverse.
const SAMPLE_ORGANISATION = '750006256';

// Asynchronous on purpose: the FHIR server and the receiver run in this process and must keep answering.
/**
 * @param {string[]} args
 * @param {{ allowFailure?: boolean, quiet?: boolean }} [options]
 * @returns {Promise<{ status: number | null, stdout: string, stderr: string }>}
 */
function esms(args, { allowFailure = false, quiet = false } = {}) {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [cli, ...args], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (status) => {
      if (!quiet) process.stdout.write(stdout);
      if (status !== 0 && !allowFailure) {
        process.stderr.write(stderr);
        reject(new Error(`esms ${args[0]} exited with ${status}`));
        return;
      }
      resolvePromise({ status, stdout, stderr });
    });
  });
}

/** @param {string} text */
function heading(text) {
  process.stdout.write(`\n━━ ${text}\n`);
}

rmSync(demoDir, { recursive: true, force: true });
mkdirSync(demoDir, { recursive: true });
const fhir = await startFhirServer({ dataDir: sampleData });
const receiver = await createReceiver({ dataDir: join(demoDir, 'ars-receiver') });
try {
  const configPath = join(demoDir, 'esms.config.yaml');
  writeFileSync(
    configPath,
    [
      '# Written by examples/demo/run-demo.mjs: the sample data served on loopback, the reference receiver.',
      'establishments:',
      ...SAMPLE_ESSMS.map((finess) => `  - finess: "${finess}"`),
      'sources:',
      `  - type: fhir`,
      `    baseUrl: ${fhir.url}`,
      'ars:',
      `  endpoint: ${receiver.url}`,
      '  retry: { initialDelayMs: 200, maxDelayMs: 2000, deadlineHours: 1 }',
      'dataDir: ./data',
      'logging: { level: warn, format: json }',
      '',
    ].join('\n'),
  );

  heading('esms init --keys-only: the evidence signing key (a run never creates one)');
  await esms(['init', '--keys-only', '--config', configPath]);

  heading(
    `Figures on the sample data (${relative(root, sampleData)}), measurement date ${LAST_MEASURE_DATE}`,
  );
  await esms(['compute', '--input', sampleData, '--measure-date', LAST_MEASURE_DATE, '--format', 'table']);

  /** @typedef {{ runId: string, outcome: string, recordsRead: number, submissionId: string }} RunSummary */
  /** @type {RunSummary | null} */
  let lastRun = null;
  for (const measureDate of MEASURE_DATES) {
    heading(
      `esms run-once --measure-date ${measureDate}: pull from ${fhir.url}, seal, submit to ${receiver.url}`,
    );
    /** @type {unknown} */
    const output = JSON.parse(
      (await esms(['run-once', '--config', configPath, '--measure-date', measureDate], { quiet: true }))
        .stdout,
    );
    // `esms run-once` prints its summary as one JSON object (contract.md §1).
    const run = /** @type {RunSummary} */ (output);
    process.stdout.write(
      `run ${run.runId}: ${run.outcome}, ${run.recordsRead} records read, submission ${String(run.submissionId).slice(0, 16)}…\n`,
    );
    lastRun = run;
  }
  const stats = receiver.stats();
  heading('Receipt at the ARS (reference receiver)');
  // The receipt is kept in the outbox (and sealed in the evidence): the receiver's transaction-response.
  if (lastRun === null) throw new Error('no run');
  /** @type {unknown} */
  const doneFile = JSON.parse(
    readFileSync(join(demoDir, 'data/outbox/done', `${lastRun.submissionId}.json`), 'utf8'),
  );
  // The agent's outbox record of a delivered submission, with the receipt the receiver gave.
  const done = /** @type {{ receipt: { status: number, receivedAt: string, body: string } }} */ (doneFile);
  /** @type {unknown} */
  const responseBody = JSON.parse(done.receipt.body);
  // The reference receiver's transaction-response Bundle.
  const response =
    /** @type {{ type: string, entry: { response: { status: string, location: string } }[] }} */ (
      responseBody
    );
  process.stdout.write(
    `last submission ${lastRun.submissionId.slice(0, 16)}…: HTTP ${done.receipt.status} at ${done.receipt.receivedAt}, ` +
      `${response.type} with ${response.entry.length} entries, e.g. ${response.entry[0]?.response.status} ${response.entry[0]?.response.location}\n`,
  );
  process.stdout.write(
    `${stats.accepted} submissions accepted, ${stats.storedReports} MeasureReports stored, ${stats.duplicatesAvoided} duplicates avoided\n`,
  );

  heading('esms status');
  await esms(['status', '--config', configPath], { allowFailure: true });

  heading('esms verify (digests, chain, signatures, and every figure recomputed from the projection)');
  await esms(['verify', join(demoDir, 'data/evidence')]);

  heading('esms export-evidence and esms report');
  const bundle = join(demoDir, 'evidence-bundle.tar');
  const report = join(demoDir, 'rapport-signataire.html');
  await esms(['export-evidence', '--config', configPath, '--out', bundle]);
  await esms(['verify', bundle], { quiet: true });
  await esms(['report', '--config', configPath, '--out', report]);
  // The attestation one organisme gestionnaire signs, as a PDF made without a browser.
  const attestation = join(demoDir, `attestation-${SAMPLE_ORGANISATION}.pdf`);
  await esms([
    'report',
    '--config',
    configPath,
    '--format',
    'pdf',
    '--organisation',
    SAMPLE_ORGANISATION,
    '--out',
    attestation,
  ]);
  process.stdout.write(
    `\nEvidence store: ${relative(root, join(demoDir, 'data/evidence'))}\n` +
      `Evidence bundle for an auditor: ${relative(root, bundle)} (verified)\n` +
      `Signatory's attestation, every organisation: ${relative(root, report)} (offline HTML, prints to A4)\n` +
      `Attestation of one organisation (FINESS juridique ${SAMPLE_ORGANISATION}): ${relative(root, attestation)}\n`,
  );
} finally {
  await receiver.close();
  await fhir.close();
}
