import type { ResultsDocument } from '@esms-numerique/sdk';
import { RATE_INDICATOR_IDS } from '@esms-numerique/sdk';

/** Columns of the CSV export: one row per ESSMS and figure, aggregates only. */
export const CSV_COLUMNS = [
  'measure_date',
  'period_start',
  'period_end',
  'finess',
  'organisation',
  'indicator',
  'numerator',
  'denominator',
  'rate',
  'target',
  'met',
  'value',
] as const;

/**
 * The figures as CSV (RFC 4180, comma, CRLF, UTF-8), the form an ARS portal takes by upload: a row per
 * ESSMS and rate (exact numerator and denominator, rate with one decimal, target, met), a row per
 * count (`value`), e-prescriptions per month as `e-prescriptions-importees:YYYY-MM`, and `va-ready`.
 */
export function figuresToCsv(results: ResultsDocument): string {
  const rows: (string | number | boolean | null)[][] = [[...CSV_COLUMNS]];
  for (const e of results.establishments) {
    const common = [results.measureDate, e.period.start, e.period.end, e.finess, e.organisation ?? ''];
    for (const id of RATE_INDICATOR_IDS) {
      const r = e.indicators[id];
      rows.push([...common, id, r.numerator, r.denominator, r.rate, r.target, r.met, null]);
    }
    const count = (id: string, value: number | boolean | null): void => {
      rows.push([...common, id, null, null, null, null, null, value]);
    };
    const ePrescriptions = e.indicators['e-prescriptions-importees'];
    count('e-prescriptions-importees', ePrescriptions.total);
    for (const [month, n] of Object.entries(ePrescriptions.byMonth))
      count(`e-prescriptions-importees:${month}`, n);
    count('echanges-e-parcours', e.indicators['echanges-e-parcours'].total);
    count('echanges-e-parcours:since-project-start', e.indicators['echanges-e-parcours'].sinceProjectStart);
    count('dossiers-actifs', e.dossiersActifs);
    count('file-active', e.fileActive);
    count('va-ready', e.vaReady);
  }
  return rows.map((row) => row.map(csvCell).join(',')).join('\r\n') + '\r\n';
}

function csvCell(value: string | number | boolean | null): string {
  if (value === null) return '';
  const text = typeof value === 'number' && !Number.isInteger(value) ? value.toFixed(1) : String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}
