/** Typography of the report's texts: curly apostrophes, percentages, digests in groups of four. */

const NARROW_NBSP = '\u202f';

/**
 * Straight apostrophes (and backquotes) become curly ones, so that names typed in a DUI
 * (`Foyer d'accueil`) look like the report's own texts (`Foyer d’accueil`).
 */
export function curlyApostrophes(text: string): string {
  return text.replace(/['`]/g, '\u2019');
}

/** 86.4 → `86,4 %` (one decimal, decimal comma, narrow no-break space); `null` → `—`. */
export function frenchPercent(rate: number | null): string {
  if (rate === null) return '—';
  return `${rate.toFixed(1).replace('.', ',')}${NARROW_NBSP}%`;
}

/** 90 → `90 %` (a target). */
export function frenchTarget(target: number): string {
  return `${String(target).replace('.', ',')}${NARROW_NBSP}%`;
}

/**
 * A hex digest or fingerprint in groups of four, so that a person can read it aloud and compare it; given
 * as lines of `groupsPerLine` groups, so that no renderer ever breaks a line inside a group.
 */
export function hexGroupLines(hex: string, groupsPerLine = 8): string[] {
  const clean = hex
    .toLowerCase()
    .replace(/^sha256:/, '')
    .replace(/[\s:]/g, '');
  // Not a hex digest (an identifier of another shape): given as it is.
  if (!/^[0-9a-f]+$/.test(clean)) return [hex];
  const groups = clean.match(/.{1,4}/g) ?? [];
  const lines: string[] = [];
  for (let i = 0; i < groups.length; i += groupsPerLine)
    lines.push(groups.slice(i, i + groupsPerLine).join(' '));
  return lines;
}
