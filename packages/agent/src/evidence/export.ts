import { readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { isDigest } from './canonical-json.js';
import type { Digest } from './canonical-json.js';
import { locateBlob } from './blobs.js';
import { EvidenceIoError } from './errors.js';
import { field } from './json-access.js';
import { JOURNAL_FILE, parseJournal } from './journal.js';
import { PUBLIC_KEY_FILE, publicKeyFingerprint } from './keys.js';
import { clearRecordIds } from './pseudonymise-findings.js';
import { TIMESTAMPS_DIR, listTimestamps, timestampPath } from './timestamp-files.js';
import { writeTarFile } from './tar.js';
import type { TarMember } from './tar.js';
import { BUNDLE_ROOT, type ManifestFacts } from './verify-bundle.js';
import { readJsonBlob } from './verify-run.js';

export { BUNDLE_ROOT } from './verify-bundle.js';

export interface ExportEvidenceResult {
  outFile: string;
  bytes: number;
  entries: number;
  blobs: number;
  lastSeq: number | null;
  lastHash: string | null;
  fingerprint: string;
  /** Runs sealed before data-quality findings were pseudonymised, whose results hold DUI record ids. */
  runsWithClearIds: number;
}

/**
 * Writes one self-contained evidence bundle for an auditor: a POSIX tar (gzipped when the name ends in
 * `.gz`/`.tgz`) holding MANIFEST.txt, the journal as it is, the public key and every blob the journal
 * references. Never the private key, never the pseudonym secret. `esms verify FILE` checks it offline.
 */
export async function exportEvidence(
  storeDir: string,
  outFile: string,
  options: { now?: () => Date; softwareVersion?: string } = {},
): Promise<ExportEvidenceResult> {
  const now = (options.now ?? (() => new Date()))();
  let journal: Buffer;
  let publicKeyPem: string;
  try {
    journal = await readFile(join(storeDir, JOURNAL_FILE));
    publicKeyPem = await readFile(join(storeDir, PUBLIC_KEY_FILE), 'utf8');
  } catch (error) {
    throw new EvidenceIoError(`${storeDir} is not a readable evidence store: ${String(error)}`, {
      cause: error,
    });
  }
  const fingerprint = publicKeyFingerprint(publicKeyPem);
  const parsed = parseJournal(journal.toString('utf8'));
  const entries = parsed.lines.flatMap((line) => (line.kind === 'entry' ? [line.entry] : []));
  const digests = new Set<Digest>();
  const collect = (value: unknown): void => {
    if (isDigest(value)) digests.add(value);
    else if (Array.isArray(value)) value.forEach(collect);
    else if (typeof value === 'object' && value !== null) Object.values(value).forEach(collect);
  };
  for (const entry of entries) {
    // configDigest and measuresDigest name things that are not blobs of the store.
    collect(
      Object.entries(entry.payload).filter(([key]) => key !== 'configDigest' && key !== 'measuresDigest'),
    );
  }
  const last = entries.at(-1);
  // Sealed bytes never change: runs sealed before findings were pseudonymised (esms 0.1) keep the DUI's
  // record ids in their results. Said in the MANIFEST and by the command, never hidden.
  let runsWithClearIds = 0;
  for (const entry of entries) {
    if (entry.type !== 'run-sealed') continue;
    const digest = field(entry.payload['results'], 'digest');
    if (isDigest(digest) && clearRecordIds(await readJsonBlob(storeDir, digest)) > 0) runsWithClearIds += 1;
  }
  const manifest = renderManifest({
    runsWithClearIds,
    now,
    fingerprint,
    entries: entries.length,
    runs: entries.filter((entry) => entry.type === 'run-sealed').length,
    lastSeq: last?.seq ?? null,
    lastHash: last?.hash ?? null,
    blobs: (await Promise.all([...digests].map((d) => locateBlob(storeDir, d)))).filter((l) => l !== null)
      .length,
    softwareVersion: options.softwareVersion ?? null,
  });
  const mtime = now;
  const members: TarMember[] = [
    { name: `${BUNDLE_ROOT}/MANIFEST.txt`, data: manifest, mtime },
    { name: `${BUNDLE_ROOT}/${JOURNAL_FILE}`, data: journal, mtime },
    { name: `${BUNDLE_ROOT}/${PUBLIC_KEY_FILE}`, data: publicKeyPem, mtime },
  ];
  for (const digest of [...digests].sort()) {
    const hex = digest.slice('sha256:'.length);
    // A missing blob is exported as missing: verification will name it; the bundle must not hide it.
    const location = await locateBlob(storeDir, digest);
    if (location === null) continue;
    members.push({
      name: `${BUNDLE_ROOT}/blobs/sha256/${hex.slice(0, 2)}/${basename(location.path)}`,
      path: location.path,
      mtime,
    });
  }
  const blobMembers = members.length - 3;
  // The RFC 3161 tokens of the entries exported (a token of no entry would only be noise).
  const hashes = new Set(entries.map((entry) => entry.hash));
  for (const hash of (await listTimestamps(storeDir)).hashes) {
    if (!hashes.has(hash)) continue;
    members.push({
      name: `${BUNDLE_ROOT}/${TIMESTAMPS_DIR}/${hash}.tsr`,
      path: timestampPath(storeDir, hash),
      mtime,
    });
  }
  let bytes: number;
  try {
    ({ bytes } = await writeTarFile(outFile, members));
  } catch (error) {
    throw new EvidenceIoError(`cannot write ${outFile}: ${String(error)}`, { cause: error });
  }
  return {
    outFile,
    bytes,
    entries: entries.length,
    blobs: blobMembers,
    lastSeq: last?.seq ?? null,
    lastHash: last?.hash ?? null,
    fingerprint,
    runsWithClearIds,
  };
}

function renderManifest(
  facts: ManifestFacts & { runsWithClearIds: number; now: Date; softwareVersion: string | null },
): string {
  return `ESMS numérique — evidence bundle / dossier de preuves
=====================================================

What this is
  The evidence sealed by an esms agent for every computation of the ESMS numérique usage indicators:
  an append-only journal of signed entries (${JOURNAL_FILE}), the content-addressed blobs it references
  (blobs/sha256/…: pseudonymised projection of the input, results, subject lists, the exact bytes
  submitted, receipts; blobs ending in .gz are gzip of the bytes their name is the SHA-256 of), the RFC 3161
  timestamps of the entries when a time-stamping authority was configured (timestamps/) and the agent's
  public key (${PUBLIC_KEY_FILE}). No names, no INS, no free text: persons and their records appear only as
  pseudonyms (HMAC-SHA256 under a secret that stayed on the agent's machine); in clear are FINESS numbers,
  measure ids, the agent's run and submission ids, digests and counts.
${
  facts.runsWithClearIds === 0
    ? ''
    : `  EXCEPT: ${facts.runsWithClearIds} run(s) sealed by esms 0.1 hold the DUI's record ids (not names, not INS)
  in the data-quality findings of their results: sealed bytes cannot be changed afterwards.
`
}
How to verify
  esms verify THIS-FILE --public-key evidence-key.pub.pem-you-received-separately
  (or: esms verify THIS-FILE, then compare the fingerprint it prints with the one below, obtained from
  the signatory by another channel). Add --expect-head HASH with the hash printed on the signed report
  or the evidence seal the ARS holds, and --tsa-ca FILE with the time-stamping authority's certificate.
  Verification runs offline. It checks every digest, every link between entries, every signature (through
  key rotations), this MANIFEST, the evidence seals, and recomputes every figure from the projection.

Exported at          ${facts.now.toISOString()}
${facts.softwareVersion === null ? '' : `Exported by          esms ${facts.softwareVersion}\n`}Key fingerprint      ${facts.fingerprint}
Entries              ${facts.entries} (${facts.runs} sealed runs), last seq ${facts.lastSeq ?? '-'}
Last entry hash      ${facts.lastHash ?? '-'}
Blobs                ${facts.blobs}

The last entry hash identifies the whole journal up to that entry: if it matches the value printed on
a signed report, nothing before it was changed or removed.

Ce fichier : les preuves scellées par l'agent esms (journal signé, projection pseudonymisée, résultats,
octets transmis, accusés de réception). Vérification hors ligne : « esms verify FICHIER ». Comparez
l'empreinte de clé ci-dessus avec celle du rapport signé.
`;
}
