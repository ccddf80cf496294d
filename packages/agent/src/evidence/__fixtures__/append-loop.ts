/**
 * Child process for the crash test: seals toy runs and receipts in a loop, printing `acked <seq>` after
 * each append has returned (i.e. after its fsync). The parent SIGKILLs it at a random moment.
 */
import { recordReceipt } from '../seal.js';
import { openEvidenceStore } from '../store.js';
import type { EvidenceStore } from '../store.js';
import { sealToyRun } from './seal-toy-run.js';

const dir = process.argv[2];
if (dir === undefined) throw new Error('usage: append-loop.ts DIR');
const opened = await openEvidenceStore(dir, { create: true });
// Every append acknowledged as it returns (a run is sealed in two entries).
const store: EvidenceStore = {
  ...opened,
  append: async (entry) => {
    const appended = await opened.append(entry);
    process.stdout.write(`acked ${appended.seq}\n`);
    return appended;
  },
};
for (let i = 0; ; i += 1) {
  const runId = `crash-${process.pid}-${i}`;
  await sealToyRun(store, { runId, variant: i % 3 });
  await recordReceipt(store, { runId, submissionId: `sub-${runId}`, receipt: { ok: i } });
}
