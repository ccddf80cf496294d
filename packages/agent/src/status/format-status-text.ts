import { INDICATORS, RATE_INDICATOR_IDS } from '@esms-numerique/sdk';
import type { AgentStatus, RunSummary } from './agent-status.js';
import { localDateTime } from './collect-status.js';

/** Terse labels of the rate indicators (the registry's, in its order), for one line per ESSMS. */
const RATE_LABELS = RATE_INDICATOR_IDS.map((id) => [id, INDICATORS[id].terseTitle] as const);

/** `esms status` for a person at a terminal. */
export function formatStatusText(status: AgentStatus): string {
  const out: string[] = [];
  const zone = status.timezone;
  /** An ISO instant as a person at the ESSMS reads it: the schedule's wall clock. */
  const local = (iso: string): string => localDateTime(new Date(iso), zone, { seconds: true });
  out.push(`esms status  (config ${status.configPath})`);
  out.push(`Times in ${zone} (schedule.timezone)`);
  out.push(
    status.nextRun === null
      ? 'Next scheduled run: none (the cron expression never matches again)'
      : `Next scheduled run: ${status.nextRun.local} ${status.nextRun.timezone} (${status.nextRun.at}), cron "${status.nextRun.cron}"`,
  );
  out.push('');

  out.push(status.runs.length === 0 ? 'Runs: none yet' : 'Last runs (most recent first):');
  for (const run of status.runs) out.push(...runLines(run, local));
  out.push('');

  const { submissions } = status;
  const refused = submissions.failed.filter((f) => f.kind === 'refused').length;
  const overdue = submissions.failed.length - refused;
  out.push(
    `Submissions: ${submissions.delivered} delivered, ${submissions.pending.length} pending, ${refused} refused, ${overdue} overdue` +
      (submissions.corrupt.length > 0 ? `, ${submissions.corrupt.length} corrupt file(s)` : ''),
  );
  for (const p of submissions.pending) {
    const last = p.lastError === null ? 'not tried yet' : `last error: ${p.lastError}`;
    const next = p.nextAttemptAt === null ? '' : `, next attempt ${local(p.nextAttemptAt)}`;
    const deadline = p.deadline === null ? '' : `, deadline ${local(p.deadline)}`;
    out.push(
      `  pending  ${p.id.slice(0, 12)}  D=${p.measureDate}  ${p.attempts} attempt(s), ${last}${next}${deadline}`,
    );
  }
  for (const f of submissions.failed) {
    const status = f.status === null ? '' : ` (HTTP ${f.status})`;
    const settled = f.superseded ? ' [superseded by a later delivered submission]' : '';
    out.push(
      `  ${f.kind.padEnd(8)} ${f.id.slice(0, 12)}  D=${f.measureDate}  ${f.attempts} attempt(s), ${f.code}${status}: ${f.reason}${settled}`,
    );
  }
  for (const c of submissions.corrupt) out.push(`  corrupt  ${c.file}: ${c.reason}`);

  const last = status.evidence.lastEntry;
  out.push(
    last === null
      ? 'Evidence journal: empty'
      : `Evidence journal: last entry #${last.seq} ${last.type} ${last.hashPrefix}… at ${local(last.time)}`,
  );
  const sealed = status.evidence.lastRun;
  if (sealed !== null) {
    out.push(
      sealed.problem === null
        ? `Last sealed run (D=${sealed.measureDate}, entry #${sealed.seq}): entry, signature, results and submission agree (figures recomputed by esms verify only)${status.evidence.unreadableLines.length > 0 ? `; but journal line ${status.evidence.unreadableLines.join(', ')} is unreadable` : ''}`
        : `Last sealed run (D=${sealed.measureDate}, entry #${sealed.seq}): would NOT verify: ${sealed.problem}`,
    );
  }
  out.push('');

  if (status.problems.length === 0) {
    out.push('OK: nothing needs attention.');
  } else {
    out.push('Needs attention:');
    for (const p of status.problems) out.push(`  - [${p.code}] ${p.message}`);
  }
  return `${out.join('\n')}\n`;
}

function runLines(run: RunSummary, local: (iso: string) => string): string[] {
  const duration = run.durationMs === null ? '—' : `${(run.durationMs / 1000).toFixed(1)} s`;
  const lines = [
    `  D=${run.measureDate}  ${run.outcome.padEnd(11)}  ${duration.padStart(8)}  ${run.trigger.padEnd(8)}  started ${local(run.startedAt)}  run ${run.runId}`,
  ];
  for (const f of run.figures) {
    const rates = RATE_LABELS.map(([id, label]) => `${label} ${f.rates[id] ?? '—'}`).join('  ');
    lines.push(`      ${f.finess}  ${rates}  VA ${f.vaReady ? 'ready' : 'not ready'}`);
  }
  if (run.missingEstablishments.length > 0)
    lines.push(`      missing ESSMS: ${run.missingEstablishments.join(', ')}`);
  if (run.error !== null) lines.push(`      error ${run.error.code}: ${run.error.message}`);
  return lines;
}
