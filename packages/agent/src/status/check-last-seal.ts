import { createPublicKey } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { hashBlobFile, locateBlob, readBlob } from '../evidence/blobs.js';
import { isDigest } from '../evidence/canonical-json.js';
import { extractMeasureReports } from '../evidence/compare-figures.js';
import { asArray, field } from '../evidence/json-access.js';
import { computeEntryHash, verifyEntrySignature, type JournalEntry } from '../evidence/journal.js';
import { rotationKeys } from '../evidence/key-rotation.js';
import { PUBLIC_KEY_FILE } from '../evidence/keys.js';
import { parseEvidenceJson } from '../evidence/safe-json.js';
import { sealedSubmissionOf } from '../evidence/evidence-seal.js';

/** What `esms status` found about the last sealed run (cheap checks only; `esms verify` does the rest). */
export interface LastSealCheck {
  seq: number;
  runId: string;
  measureDate: string;
  /** `null` when every check below held. */
  problem: string | null;
}

/**
 * Checks, in milliseconds rather than a recomputation, the things that would make the last sealed run's
 * evidence fail `esms verify` for reasons a run can cause: its entry's hash and signature, its results and
 * submission blobs (present, unaltered), and that the ESSMS of its results are exactly those of its
 * submission, within its sealed scope. It does not recompute the figures from the projection, nor walk the
 * whole chain: that is `esms verify`, which an auditor runs anyway.
 */
export async function checkLastSeal(
  evidenceDir: string,
  entries: readonly JournalEntry[],
): Promise<LastSealCheck | null> {
  const entry = entries.findLast((e) => e.type === 'run-sealed');
  if (entry === undefined) return null;
  const runId = typeof entry.payload['runId'] === 'string' ? entry.payload['runId'] : '?';
  const measureDate = typeof entry.payload['measureDate'] === 'string' ? entry.payload['measureDate'] : '?';
  const check = (problem: string | null): LastSealCheck => ({ seq: entry.seq, runId, measureDate, problem });

  if (computeEntryHash(entry) !== entry.hash) return check('its journal entry does not match its hash');
  let signed = false;
  try {
    // The key in force when it was sealed: the one a later `key-rotated` entry retired, else the store's.
    const rotation = entries.find((e) => e.type === 'key-rotated' && e.seq > entry.seq);
    const retired = rotation === undefined ? null : rotationKeys(rotation);
    const key =
      retired !== null && 'previous' in retired
        ? retired.previous
        : createPublicKey(await readFile(join(evidenceDir, PUBLIC_KEY_FILE), 'utf8'));
    signed = verifyEntrySignature(entry.hash, entry.signature, key);
  } catch {
    return check(`the store's public key (${PUBLIC_KEY_FILE}) is missing or unreadable`);
  }
  if (!signed) return check("its signature is not valid for the store's key");

  // Since the evidence seal, the submission bytes are sealed by the entry that follows the run's.
  const submissionEntry = sealedSubmissionOf(entries, entry);
  const blob = async (name: 'results' | 'submission'): Promise<unknown> => {
    const source = name === 'results' ? entry : submissionEntry;
    if (source === undefined) throw new Error(`its ${name} was never sealed`);
    const digest = field(source.payload[name], 'digest');
    if (!isDigest(digest)) throw new Error(`it names no ${name} blob`);
    const location = await locateBlob(evidenceDir, digest);
    if (location === null) throw new Error(`its ${name} blob is missing`);
    const actual = await hashBlobFile(location).catch(() => null);
    if (actual === null || actual.digest !== digest) throw new Error(`its ${name} blob was altered`);
    const parsed = parseEvidenceJson((await readBlob(evidenceDir, digest, actual.bytes)).toString('utf8'));
    if (!parsed.ok) throw new Error(`its ${name} blob is ${parsed.reason}`);
    return parsed.value;
  };
  let results: unknown;
  let submission: unknown;
  try {
    results = await blob('results');
    submission = await blob('submission');
  } catch (error) {
    return check(error instanceof Error ? error.message : String(error));
  }
  const sealed = new Set(asArray(field(results, 'establishments')).map((e) => String(field(e, 'finess'))));
  const reports = extractMeasureReports(submission) ?? [];
  const submitted = new Set(reports.map((r) => r.finess ?? '?'));
  const notSubmitted = [...sealed].filter((f) => !submitted.has(f)).sort();
  if (notSubmitted.length > 0) {
    return check(
      `its sealed figures hold ESSMS that were not submitted (${notSubmitted.join(', ')})` +
        ('scope' in entry.payload ? '' : ': it was sealed before runs sealed their scope'),
    );
  }
  const notSealed = [...submitted].filter((f) => !sealed.has(f)).sort();
  if (notSealed.length > 0)
    return check(`its submission holds ESSMS it did not seal (${notSealed.join(', ')})`);
  const scope = field(entry.payload['scope'], 'establishments');
  if (Array.isArray(scope)) {
    const outside = [...sealed].filter((f) => !scope.includes(f)).sort();
    if (outside.length > 0)
      return check(`its figures hold ESSMS outside its sealed scope (${outside.join(', ')})`);
  }
  return check(null);
}
