/**
 * The anchor at the ARS, as the receipts show it: the reference receiver answers each transaction with
 * the evidence seal it stored with every report (and the one the request carried). Every seal an ARS
 * returns must be the hash of a `run-sealed` entry of this very chain, sealed before the receipt: a chain
 * rebuilt after the fact (with a stolen key, say) cannot contain the hashes the ARS already holds.
 */
import { isDigest } from './canonical-json.js';
import { isEntryHash, sealCarried } from './evidence-seal.js';
import { asArray, field } from './json-access.js';
import type { JournalEntry } from './journal.js';
import { parseEvidenceJson } from './safe-json.js';
import { declaredBytes, readJsonBlob, type AddFinding } from './verify-run.js';

export interface ReceiptAnchors {
  /** How many seals the receipt returned, each found in the chain. */
  seals: number;
}

export async function checkReceiptAnchors(
  dir: string,
  entry: JournalEntry,
  sealedRuns: ReadonlyMap<string, JournalEntry>,
  add: AddFinding,
): Promise<ReceiptAnchors> {
  const where = `entry seq ${entry.seq}`;
  const digest = field(entry.payload['receipt'], 'digest');
  if (!isDigest(digest)) return { seals: 0 };
  const receipt = await readJsonBlob(dir, digest, declaredBytes(entry.payload['receipt']));
  const bodyText = field(receipt, 'body');
  if (typeof bodyText !== 'string') return { seals: 0 };
  const parsed = parseEvidenceJson(bodyText);
  if (!parsed.ok) return { seals: 0 };
  const response = parsed.value;
  const runHash = field(entry.payload['runEntry'], 'hash');
  const ownRun = typeof runHash === 'string' ? sealedRuns.get(runHash) : undefined;
  let seals = 0;
  const find = (hash: string, what: string): JournalEntry | undefined => {
    const sealed = sealedRuns.get(hash);
    if (sealed === undefined) {
      add(
        entry.seq,
        'anchor',
        'error',
        `${where}: the ARS's receipt holds the evidence seal ${hash} for ${what}, and no run-sealed entry of ` +
          'this journal before it has that hash: the journal is not the one whose seals the ARS received (rewritten, or rebuilt)',
      );
    } else seals += 1;
    return sealed;
  };
  const requestSeal = sealCarried(field(response, 'meta')).hash;
  let ownRequestSeal = false;
  if (requestSeal !== null && isEntryHash(requestSeal)) {
    const sealed = find(requestSeal, 'the submission it received');
    if (sealed !== undefined && sealed.payload['submissionId'] !== entry.payload['submissionId']) {
      add(
        entry.seq,
        'anchor',
        'error',
        `${where}: the ARS received the seal of run-sealed entry seq ${sealed.seq}, which sealed another submission than this receipt's`,
      );
    } else if (sealed !== undefined) ownRequestSeal = true;
  }
  // Reports the ARS already held (`200 OK`) keep the seal it received first. When the ARS acknowledged
  // this journal's own seal for the request, a kept seal from outside this journal is the same figures
  // sealed and sent by another journal (a reinstall, a lost data directory): named once, not a rewrite.
  const elsewhere = new Set<string>();
  let heldElsewhere = 0;
  asArray(field(response, 'entry')).forEach((item, index) => {
    const answer = field(item, 'response');
    const stored = sealCarried(answer).hash;
    if (stored === null || !isEntryHash(stored)) return;
    const status = field(answer, 'status');
    const duplicate = typeof status === 'string' && status.startsWith('200');
    if (ownRequestSeal && duplicate && !sealedRuns.has(stored)) {
      elsewhere.add(stored);
      heldElsewhere += 1;
      return;
    }
    find(stored, `the report of response entry #${index + 1}`);
  });
  if (heldElsewhere > 0) {
    add(
      entry.seq,
      'anchor',
      'warning',
      `${where}: the ARS already held ${heldElsewhere} report(s) of this submission under a seal of another journal ` +
        `(${[...elsewhere].join(', ')}): the same figures were sealed and sent before from another data directory ` +
        "(a reinstall, a lost outbox); the ARS keeps that seal, and acknowledged this journal's seal for the request",
    );
  }
  if (seals === 0 && ownRun !== undefined && !('submission' in ownRun.payload)) {
    add(
      entry.seq,
      'anchor',
      'info',
      `${where}: the receipt carries no evidence seal (this ARS does not return it): the anchor can be checked ` +
        'with the seal the ARS stored (esms verify --expect-head HASH)',
    );
  }
  return { seals };
}
