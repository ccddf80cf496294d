/**
 * Child process for the crash test: seals toy runs and receipts in a loop, printing `acked <seq>` after
 * each append has returned (i.e. after its fsync). The parent SIGKILLs it at a random moment.
 */
import { recordReceipt } from '../seal.js';
import { openEvidenceStore } from '../store.js';
import { sealToyRun } from './seal-toy-run.js';

const dir = process.argv[2];
if (dir === undefined) throw new Error('usage: append-loop.ts DIR');
const store = await openEvidenceStore(dir, { create: true });
for (let i = 0; ; i += 1) {
  const runId = `crash-${process.pid}-${i}`;
  const sealed = await sealToyRun(store, { runId, variant: i % 3 });
  process.stdout.write(`acked ${sealed.seq}\n`);
  const receipt = await recordReceipt(store, { runId, submissionId: `sub-${runId}`, receipt: { ok: i } });
  process.stdout.write(`acked ${receipt.seq}\n`);
}
