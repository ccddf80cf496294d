import type { PhaseSnapshot } from './phase-tally.js';

/** `1 000 084`: groups of three digits, as the README's figures are written. */
export function formatCount(value: number): string {
  return String(Math.round(value)).replace(/\B(?=(\d{3})+(?!\d))/g, ' ');
}

/** `0:07`, `12:30`, `1:02:03`. */
export function formatElapsed(ms: number): string {
  const total = Math.floor(ms / 1000);
  const hours = Math.floor(total / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const seconds = String(total % 60).padStart(2, '0');
  return hours > 0 ? `${hours}:${String(minutes).padStart(2, '0')}:${seconds}` : `${minutes}:${seconds}`;
}

/** The status line while a phase runs: `esms read · Encounter · 412 305 records · 23 pages · 41 230/s · 0:10`. */
export function formatRunningLine(s: PhaseSnapshot): string {
  const parts = [`esms ${s.phase}`];
  if (s.records > 0 || s.pages > 0 || s.expectedRecords !== undefined) {
    if (s.currentType !== null) parts.push(s.currentType);
    parts.push(`${formatCount(s.records)} records`);
    if (s.expectedRecords !== undefined && s.expectedRecords > 0) {
      parts.push(`${Math.min(100, Math.floor((s.records * 100) / s.expectedRecords))} %`);
    }
    if (s.pages > 0) parts.push(`${formatCount(s.pages)} pages`);
    parts.push(`${formatCount(s.recordsPerSecond)}/s`);
  }
  parts.push(formatElapsed(s.elapsedMs));
  return parts.join(' · ');
}

/** The line kept when a phase ends: `esms read: 1 000 084 records, 23 pages in 9.8 s (102 050/s)`. */
export function formatEndLine(s: PhaseSnapshot, outcome: 'ok' | 'failed'): string {
  const seconds = `${(s.elapsedMs / 1000).toFixed(1)} s`;
  const counted =
    s.records > 0 || s.pages > 0
      ? `${formatCount(s.records)} records${s.pages > 0 ? `, ${formatCount(s.pages)} pages` : ''}`
      : '';
  if (outcome === 'failed') {
    return `esms ${s.phase}: stopped after ${seconds}${counted === '' ? '' : ` (${counted})`}`;
  }
  if (counted === '') return `esms ${s.phase}: done in ${seconds}`;
  return `esms ${s.phase}: ${counted} in ${seconds} (${formatCount(s.recordsPerSecond)}/s)`;
}
