import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { JOURNAL_FILE } from './journal.js';
import { NO_FACTS, buildReport } from './store-facts.js';
import type { VerificationCheck, VerificationFinding, VerificationReport } from './verification-report.js';
import { BUNDLE_ROOT, MANIFEST_FILE, openBundle } from './verify-bundle.js';
import type { VerifyOptions } from './verify-options.js';
import { errorMessage } from '../shared/error-message.js';
import { verifyStoreDirectory } from './verify-store.js';
import { isErrnoCode } from '../durable-fs.js';
import { exists } from '../shared/exists.js';

/**
 * Verifies an evidence store directory or an exported bundle (`.tar` / `.tar.gz`): every blob digest,
 * every link and sequence number, every signature (following key rotations, against the expected key
 * when one is given), the evidence seal of every submission and every seal the ARS returned, the
 * MANIFEST of a bundle, the RFC 3161 timestamps, and every figure of every sealed run, recomputed from
 * its projection with the rules and compared with the sealed results and with the MeasureReports in the
 * sealed submission bytes. Works offline. Never throws on bad evidence: every problem becomes a finding
 * naming the entry and the check.
 */
export async function verifyEvidence(path: string, options: VerifyOptions = {}): Promise<VerificationReport> {
  try {
    return await verifyPath(path, options);
  } catch (error) {
    // A verifier bug or an I/O failure must still end in a verdict, never in a stack trace.
    return failedBeforeStart(path, 'store', `verification could not complete: ${errorMessage(error)}`);
  }
}

async function verifyPath(path: string, options: VerifyOptions): Promise<VerificationReport> {
  let info;
  try {
    info = await stat(path);
  } catch (error) {
    if (options.absentStoreIsEmpty === true && isErrnoCode(error, 'ENOENT')) {
      return buildReport(
        path,
        'store',
        [
          {
            seq: null,
            check: 'journal',
            severity: 'info',
            message: `nothing sealed yet: there is no evidence store at ${path}; a first esms run-once creates it`,
          },
        ],
        [],
        true,
        NO_FACTS,
      );
    }
    return failedBeforeStart(path, 'store', `cannot read ${path}: ${errorMessage(error)}`);
  }
  if (info.isDirectory()) return verifyDirectory(path, options);
  const temporary = await mkdtemp(join(tmpdir(), 'esms-verify-'));
  try {
    const opened = await openBundle(
      path,
      temporary,
      options.maxExtractBytes === undefined ? {} : { maxExtractBytes: options.maxExtractBytes },
    );
    if (!opened.ok) return failedBeforeStart(path, 'bundle', opened.message, 'bundle');
    return await verifyStoreDirectory(opened.root, path, 'bundle', options);
  } finally {
    await rm(temporary, { recursive: true, force: true });
  }
}

/**
 * A directory: a live store, or an exported bundle unpacked by hand (`tar -xf`). An unpacked bundle's
 * MANIFEST.txt is checked as in the archive, whether the directory given is the store (`esms-evidence/`,
 * holding the MANIFEST) or the one it was unpacked into; a directory holding a store and another one under
 * `esms-evidence/` is refused, as a bundle holding two stores is.
 */
async function verifyDirectory(path: string, options: VerifyOptions): Promise<VerificationReport> {
  const nested = join(path, BUNDLE_ROOT);
  const [hasJournal, hasManifest, nestedJournal, nestedManifest] = await Promise.all([
    exists(join(path, JOURNAL_FILE)),
    exists(join(path, MANIFEST_FILE)),
    exists(join(nested, JOURNAL_FILE)),
    exists(join(nested, MANIFEST_FILE)),
  ]);
  if (nestedJournal || nestedManifest) {
    if (hasJournal || hasManifest) {
      return failedBeforeStart(
        path,
        'store',
        `${path} holds a store and another one under ${BUNDLE_ROOT}/: refused, verify one store at a time`,
        'bundle',
      );
    }
    return verifyStoreDirectory(nested, nested, 'store', { ...options, checkManifest: nestedManifest });
  }
  return verifyStoreDirectory(path, path, 'store', { ...options, checkManifest: hasManifest });
}

function failedBeforeStart(
  path: string,
  kind: 'store' | 'bundle',
  message: string,
  check: VerificationCheck = 'input',
): VerificationReport {
  const findings: VerificationFinding[] = [{ seq: null, check, severity: 'error', message }];
  return buildReport(path, kind, findings, [], false, NO_FACTS);
}
