import type { VerificationReport } from './verification-report.js';

/** The verification report for a terminal or a mail to an auditor: findings first, then the summary. */
export function formatVerificationText(report: VerificationReport): string {
  const lines: string[] = [];
  const { summary } = report;
  lines.push(`Evidence ${report.kind}: ${report.path}`);
  for (const finding of report.findings) {
    const mark = finding.severity === 'error' ? 'FAIL' : finding.severity === 'warning' ? 'WARN' : 'INFO';
    lines.push(`  ${mark} [${finding.check}] ${finding.message}`);
  }
  lines.push('');
  lines.push(
    `Entries: ${summary.entries} (last seq ${summary.lastSeq ?? '-'}), runs: ${summary.runs} (${summary.runsRecomputed} recomputed from their projection), blobs: ${summary.blobs}`,
  );
  lines.push(`Last entry hash: ${summary.lastHash ?? '-'}`);
  lines.push(`Signing key fingerprint: ${summary.keyFingerprint ?? '-'}`);
  if (summary.keys.length > 1) {
    lines.push(
      `Keys followed: ${summary.keys.map((k) => `${k.fingerprint} (from ${k.fromSeq === null ? 'the first entry' : `seq ${k.fromSeq}`})`).join(' → ')}`,
    );
  }
  if (summary.expectedHead !== null) {
    lines.push(
      `Expected head: ${summary.expectedHead.hash} ${summary.expectedHead.seq === null ? '(NOT in this journal)' : `(entry seq ${summary.expectedHead.seq})`}`,
    );
  }
  if (summary.timestamps.tokens > 0 || summary.timestamps.entriesWithout > 0) {
    lines.push(
      `Timestamps (RFC 3161): ${summary.timestamps.tokens} token(s), ${summary.timestamps.verified} checked against the TSA's certificate, ${summary.timestamps.entriesWithout} entries without`,
    );
  }
  // The MANIFEST is not signed: only what it is compared on is trusted (audit G3).
  lines.push(
    summary.manifest === 'checked'
      ? 'MANIFEST: checked against the journal (key fingerprint, entries, sealed runs, last seq, last entry hash, blobs); it is not signed, so only these fields are trusted'
      : report.kind === 'bundle'
        ? 'MANIFEST: not checked (the bundle was refused before its store was read)'
        : 'MANIFEST: none checked (a store directory, not an exported bundle)',
  );
  if (summary.expectedKeyFingerprint !== null)
    lines.push(`Expected key fingerprint: ${summary.expectedKeyFingerprint}`);
  lines.push(
    report.nothingSealed
      ? 'NOTHING SEALED YET: no run has been sealed in this store, so there is nothing to verify or sign.'
      : report.ok
        ? `VERIFIED: every digest, link and signature holds and every figure was recomputed${summary.warnings > 0 ? ` (${summary.warnings} warning(s) above)` : ''}.`
        : `NOT VERIFIED: ${summary.errors} problem(s) found (see FAIL lines above).`,
  );
  return `${lines.join('\n')}\n`;
}
