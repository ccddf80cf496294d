import type { Worklist } from './worklist.js';

/**
 * A worklist as CSV for a spreadsheet (French Excel: `;` separators, UTF-8 with a byte order mark).
 * Ids and reason codes only: nothing that names a person.
 */
export function worklistCsv(worklist: Worklist, labels: Readonly<Record<string, string>>): string {
  const rows = [
    ['dossier', 'dossiers_fusionnes', 'raison', 'libelle'],
    ...worklist.entries.map((e) => [e.dossier, e.records.join(' '), e.reason, labels[e.reason] ?? e.reason]),
  ];
  return `\ufeff${rows.map((row) => row.map(cell).join(';')).join('\r\n')}\r\n`;
}

function cell(value: string): string {
  // A cell a spreadsheet would run as a formula is quoted with a leading apostrophe.
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[;"\r\n]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}
