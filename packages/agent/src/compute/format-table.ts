import { INDICATORS, RATE_INDICATOR_IDS } from '@esms-numerique/sdk';
import type { EstablishmentExplanation, RateResult, ResultsDocument } from '@esms-numerique/sdk';

/** Column labels: the registry's short titles. */
const RATE_COLUMNS = RATE_INDICATOR_IDS.map((id) => [id, INDICATORS[id].shortTitle] as const);
const COUNT_COLUMNS = (['e-prescriptions-importees', 'echanges-e-parcours', 'file-active'] as const).map(
  (id) => INDICATORS[id].shortTitle,
);

function cell(r: RateResult): string {
  const rate = r.rate === null ? '—' : `${r.rate.toFixed(1)} %`;
  return `${rate} ${r.met ? '✓' : '✗'} (${r.numerator}/${r.denominator})`;
}

function pad(text: string, width: number): string {
  return text.length >= width ? text : text + ' '.repeat(width - text.length);
}

function renderRows(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]): string =>
    cells
      .map((c, i) => pad(c, widths[i]!))
      .join('  ')
      .trimEnd();
  return [line(header), widths.map((w) => '─'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

/** The results document as a readable table for a terminal (`esms compute --format table`). */
export function formatResultsTable(doc: ResultsDocument): string {
  const out: string[] = [];
  const first = doc.establishments[0];
  out.push(
    `Date de mesure ${doc.measureDate}` +
      (first
        ? ` — période de recueil du ${first.period.start} au ${first.period.end} (heure locale de chaque ESSMS)`
        : '') +
      ` — dénominateur: ${doc.denominatorScope}`,
    '',
  );
  const header = ['FINESS', 'ESSMS', ...RATE_COLUMNS.map(([, label]) => label), ...COUNT_COLUMNS, 'VA'];
  const rows = doc.establishments.map((e) => [
    e.finess,
    (e.name ?? '').slice(0, 28),
    ...RATE_COLUMNS.map(([id]) => cell(e.indicators[id])),
    String(e.indicators['e-prescriptions-importees'].total),
    String(e.indicators['echanges-e-parcours'].total),
    String(e.fileActive),
    e.vaReady ? 'prêt' : 'non',
  ]);
  out.push(
    doc.establishments.length > 0 ? renderRows(header, rows) : 'Aucun ESSMS reconnu dans les données.',
  );
  if (doc.organisations.length > 0) {
    out.push('', 'Organismes gestionnaires (taux pondérés)');
    out.push(
      renderRows(
        ['FINESS EJ', 'ESSMS', ...RATE_COLUMNS.map(([, label]) => label)],
        doc.organisations.map((o) => [
          o.finess,
          String(o.establishments.length),
          ...RATE_COLUMNS.map(([id]) => cell(o.indicators[id])),
        ]),
      ),
    );
  }
  const notReady = doc.establishments.filter((e) => !e.vaReady);
  if (notReady.length > 0) {
    out.push('', 'Vérification d’Aptitude non prête:');
    for (const e of notReady) out.push(`  ${e.finess}: ${e.vaReason ?? ''}`);
  }
  const { errors, warnings } = doc.dataQuality;
  out.push('', `Qualité des données: ${errors.length} erreur(s), ${warnings.length} avertissement(s)`);
  const summary = new Map<string, number>();
  for (const f of [
    ...errors.map((e) => ({ ...e, level: 'erreur' })),
    ...warnings.map((w) => ({ ...w, level: 'avertissement' })),
  ]) {
    const key = `${f.level} ${f.code}`;
    summary.set(key, (summary.get(key) ?? 0) + (f.count ?? 1));
  }
  for (const [key, n] of [...summary.entries()].sort()) out.push(`  ${key}: ${n}`);
  // An input read only in part makes every figure doubtful: each is named (file and how far it got).
  const incomplete = errors.filter((e) => e.code === 'input-incomplete');
  if (incomplete.length > 0) {
    out.push(
      '',
      'Entrées lues en partie seulement (les chiffres ci-dessus ne valent que pour ce qui a été lu):',
    );
    for (const e of incomplete) out.push(`  ${e.message}`);
  }
  return `${out.join('\n')}\n`;
}

/**
 * `--explain FINESS` as text: who counts, and why each person does not. The population is the persons
 * accompanied in P, or in the calendar year under `denominatorScope: calendar-year` (audit G11).
 */
export function formatExplanation(
  explanation: EstablishmentExplanation,
  denominatorScope: ResultsDocument['denominatorScope'] = 'period',
): string {
  const where = denominatorScope === 'calendar-year' ? "sur l'année civile" : 'sur la période';
  const out: string[] = [
    `ESSMS ${explanation.finess}: ${explanation.persons.length} personne(s) accompagnée(s) ${where}`,
  ];
  for (const [id, ind] of Object.entries(explanation.indicators)) {
    if (ind === undefined) continue;
    out.push(
      '',
      `${id}: numérateur ${ind.counted ? ind.counted.byAgent + ind.counted.bySejour : ind.numerator.length}, dénominateur ${ind.denominator.length}`,
    );
    if (ind.counted)
      out.push(
        `  messages attribués par agent.who: ${ind.counted.byAgent}, par séjour: ${ind.counted.bySejour}`,
      );
    for (const person of ind.numerator) out.push(`  + ${person}`);
    for (const ex of ind.outOfNumerator) out.push(`  - ${ex.person}  (${ex.reason})`);
  }
  return `${out.join('\n')}\n`;
}
