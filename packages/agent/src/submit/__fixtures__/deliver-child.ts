/**
 * A separate agent process for the kill -9 test: enqueues the sample submission durably, says so on
 * stdout, then delivers it. The test kills it while the request is in flight.
 * Usage: node --import tsx deliver-child.ts <dataDir> <endpoint>
 */
import { ArsClient } from '../ars-client.js';
import { buildSubmission } from '../build-submission.js';
import { deliverPending } from '../deliver.js';
import { Outbox } from '../outbox.js';
import { sampleReports } from './measure-reports.js';

const [dataDir, endpoint] = process.argv.slice(2);
if (dataDir === undefined || endpoint === undefined)
  throw new Error('usage: deliver-child.ts <dataDir> <endpoint>');
const outbox = await Outbox.open({ dataDir });
const submission = buildSubmission({ measureDate: '2024-04-01' }, sampleReports());
await outbox.enqueue(submission);
process.stdout.write(`${JSON.stringify({ enqueued: submission.id })}\n`);
await deliverPending({ outbox, client: new ArsClient({ endpoint, proxy: false, timeoutMs: 30_000 }) });
process.stdout.write('{"delivered":true}\n');
