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
  'establishment_name',
] as const;

/** The `indicator` of the row naming a configured ESSMS absent from the data (its other cells empty). */
export const ABSENT_ROW = 'establishment-absent';

/**
 * `rfc4180`: comma, decimal point (the form an ARS portal or a script takes). `excel-fr`: what a French
 * spreadsheet (Excel, LibreOffice in a French locale) opens as columns of numbers without an import
 * dialog: semicolon separators, decimal comma, and a UTF-8 byte-order mark so that accents survive.
 */
export type CsvDialect = 'rfc4180' | 'excel-fr';

interface DialectRules {
  separator: string;
  decimal: string;
  bom: string;
}

const DIALECTS: Readonly<Record<CsvDialect, DialectRules>> = {
  rfc4180: { separator: ',', decimal: '.', bom: '' },
  'excel-fr': { separator: ';', decimal: ',', bom: '\uFEFF' },
};

/**
 * The figures as CSV (CRLF, UTF-8), the form an ARS portal takes by upload: a row per ESSMS and rate
 * (exact numerator and denominator, rate with one decimal, target, met), a row per count (`value`),
 * e-prescriptions per month as `e-prescriptions-importees:YYYY-MM`, and `va-ready`; the ESSMS's name
 * (the DUI's `Organization.name`, never person data) last, so that earlier columns keep their place;
 * first, one `establishment-absent` row with empty figures per configured ESSMS in `absent`.
 */
export function figuresToCsv(
  results: ResultsDocument,
  dialect: CsvDialect = 'rfc4180',
  absent: readonly string[] = [],
): string {
  const rules = DIALECTS[dialect];
  const rows: (string | number | boolean | null)[][] = [[...CSV_COLUMNS]];
  // A configured ESSMS the data held nothing about gets one row with no figures, so that an upload
  // (or a person reading it) sees it is missing rather than not asked for.
  for (const finess of absent) {
    rows.push([
      results.measureDate,
      null,
      null,
      finess,
      null,
      ABSENT_ROW,
      null,
      null,
      null,
      null,
      null,
      null,
      null,
    ]);
  }
  for (const e of results.establishments) {
    const common = [results.measureDate, e.period.start, e.period.end, e.finess, e.organisation ?? ''];
    const name = e.name ?? '';
    for (const id of RATE_INDICATOR_IDS) {
      const r = e.indicators[id];
      rows.push([...common, id, r.numerator, r.denominator, r.rate, r.target, r.met, null, name]);
    }
    const count = (id: string, value: number | boolean | null): void => {
      rows.push([...common, id, null, null, null, null, null, value, name]);
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
  return (
    rules.bom +
    rows.map((row) => row.map((cell) => csvCell(cell, rules)).join(rules.separator)).join('\r\n') +
    '\r\n'
  );
}

function csvCell(value: string | number | boolean | null, rules: DialectRules): string {
  if (value === null) return '';
  const text =
    typeof value === 'number' && !Number.isInteger(value)
      ? value.toFixed(1).replace('.', rules.decimal)
      : String(value);
  const needsQuotes = text.includes(rules.separator) || /["\r\n]/.test(text);
  return needsQuotes ? `"${text.replace(/"/g, '""')}"` : text;
}
