import { describe, expect, it } from 'vitest';
import type { AttestationDocument, AttestationPage } from './attestation-model.js';
import { buildAttestation } from './build-attestation.js';
import { LONG_NAME, PARIS_OG, REUNION_OG, sampleReportInput } from './__fixtures__/report-input.js';
import type { SampleOptions } from './__fixtures__/report-input.js';
import { selectReport } from './select-report.js';
import type { ReportSelection } from './select-report.js';

const OPTIONS = { agent: 'esms 0.1.0 (esms-numerique)' };

function build(sample: SampleOptions = {}, selection: ReportSelection = {}): AttestationDocument {
  const input = sampleReportInput(sample);
  return buildAttestation(input, input.runs.length === 0 ? null : selectReport(input, selection), OPTIONS);
}

function page(document: AttestationDocument, index = 0): AttestationPage {
  const found = document.pages[index];
  if (found === undefined) throw new Error(`no page ${index}`);
  return found;
}

function factOf(p: AttestationPage, label: string): string | undefined {
  return p.facts.find((f) => f.label === label)?.value;
}

/** Everything a director reads on the attestation pages, as one string. */
function pagesText(document: AttestationDocument): string {
  return JSON.stringify(document.pages);
}

describe('buildAttestation', () => {
  it('one attestation per organisme gestionnaire, with D and P in local dates and the territory with its offset', () => {
    const document = build();
    expect(document.pages.map((p) => p.subheading)).toEqual([
      `Fondation de l’Yvette — FINESS juridique ${PARIS_OG} — 1 ESSMS`,
      `Association Les Lilas — FINESS juridique ${REUNION_OG} — 2 ESSMS`,
    ]);
    const reunion = page(document, 1);
    expect(factOf(reunion, 'Date de mesure')).toBe('1er avril 2024');
    expect(factOf(reunion, 'Période de recueil')).toBe(
      'du 1er janvier 2024 au 31 mars 2024 inclus, en heure locale',
    );
    expect(factOf(reunion, 'Heure locale')).toBe('La Réunion, UTC+4');
    expect(factOf(page(document, 0), 'Heure locale')).toBe('France métropolitaine, UTC+1 puis UTC+2');
    expect(factOf(reunion, 'Vérification d’Aptitude')).toBe(
      '1 ESSMS sur 2 a les trois indicateurs du DUI non nuls',
    );
    // Every time says whose clock it is on, on the page as in the annex (issue 11 A3).
    expect(factOf(reunion, 'Transmission à l’ARS')).toBe(
      'transmise ; accusé de réception de l’ARS du 1er avril 2024 à 9 h 06 (La Réunion, UTC+4)',
    );
    expect(factOf(page(document, 0), 'Vérification d’Aptitude')).toBe(
      'oui : les trois indicateurs du DUI sont non nuls',
    );
  });

  it('an organisation over several territories: each named with its offset, and whose clock a time is on', () => {
    const input = sampleReportInput();
    const littoral = input.runs.at(-1)?.results.establishments.find((e) => e.finess === '970400032');
    if (littoral === undefined) throw new Error('fixture changed');
    littoral.timezone = 'Indian/Mayotte';
    const reunion = page(buildAttestation(input, selectReport(input, {}), OPTIONS), 1);
    expect(factOf(reunion, 'Heure locale')).toBe('La Réunion, UTC+4 ; Mayotte, UTC+3');
    expect(factOf(reunion, 'Transmission à l’ARS')).toBe(
      'transmise ; accusé de réception de l’ARS du 1er avril 2024 à 9 h 06 (La Réunion, UTC+4)',
    );
    expect(reunion.table.rows.map((r) => r.subtitle)).toEqual([
      '970400024 · La Réunion, UTC+4',
      '970400032 · Mayotte, UTC+3',
      'taux pondérés (sommes des numérateurs et des dénominateurs)',
    ]);
  });

  it('per ESSMS: the three DUI indicators with counts, rate and a symbol, the VA verdict with its reason, then MSSanté and DMP', () => {
    const reunion = page(build(), 1);
    expect(reunion.table.headers.map((h) => h.title)).toEqual([
      'ESSMS',
      'Dossiers actifs',
      'Projet personnalisé',
      'Événement dans l’agenda',
      'Vérification d’Aptitude',
      'MSSanté',
      'DMP',
    ]);
    expect(reunion.table.headers[1]?.subtitle).toBe('cible 90\u202f%');
    const [filaos, littoral, total] = reunion.table.rows;
    expect(filaos?.title).toBe('EHPAD Les Filaos');
    expect(filaos?.cells[3]).toEqual({ small: '', main: '✓ oui', tone: 'ok' });
    expect(littoral?.cells[2]).toEqual({ small: '0 / 4', main: '0,0\u202f% ✗', tone: 'ko' });
    expect(littoral?.cells[3]).toEqual({ small: '', main: '✗ non', tone: 'ko' });
    expect(total?.total).toBe(true);
    expect(total?.title).toBe('Ensemble de l’organisme');
    expect(total?.cells[3]?.main).toBe('1 sur 2');
    expect(reunion.notes).toContain(
      'Ne remplit pas la condition de la Vérification d’Aptitude, indicateur « événement dans l’agenda » nul : SSIAD du Littoral (0 sur 4).',
    );
    // Met / not met survives black and white: every rate carries ✓ or ✗.
    for (const row of reunion.table.rows) {
      for (const cell of row.cells) expect(cell.main).toMatch(/[✓✗—]|sur/);
    }
  });

  it('VA reasons are grouped: one line per reason naming every ESSMS it concerns', () => {
    const input = sampleReportInput();
    const run = input.runs.at(-1);
    const filaos = run?.results.establishments.find((e) => e.finess === '970400024');
    if (filaos === undefined) throw new Error('fixture changed');
    filaos.indicators['taux-evenement-agenda'] = {
      numerator: 0,
      denominator: 9,
      rate: 0,
      target: 90,
      met: false,
    };
    filaos.vaReady = false;
    const notes = page(buildAttestation(input, selectReport(input, {}), OPTIONS), 1).notes;
    expect(notes).toContain(
      'Ne remplissent pas la condition de la Vérification d’Aptitude, indicateur « événement dans l’agenda » nul : EHPAD Les Filaos (0 sur 9) et SSIAD du Littoral (0 sur 4).',
    );
  });

  it('labels from the SDK registry: the annex detail headers, and the note of a ratio above 100 %', () => {
    const input = sampleReportInput();
    const filaos = input.runs.at(-1)?.results.establishments.find((e) => e.finess === '970400024');
    if (filaos === undefined) throw new Error('fixture changed');
    const note = 'Le taux MSSanté compte des messages envoyés et non des personnes : il peut dépasser 100 %.';
    expect(page(buildAttestation(input, selectReport(input, {}), OPTIONS), 1).notes).not.toContain(note);
    filaos.indicators['taux-mssante'] = { numerator: 12, denominator: 9, rate: 133.3, target: 70, met: true };
    const document = buildAttestation(input, selectReport(input, {}), OPTIONS);
    expect(page(document, 1).notes).toContain(note);
    const detail = document.annex?.blocks.find((b) => b.kind === 'table');
    expect(detail?.kind === 'table' ? detail.table.headers.map((h) => h.title) : []).toEqual([
      'ESSMS',
      'Personnes accompagnées',
      'Dossiers actifs',
      'File active',
      'E-prescriptions',
      'Échanges e-parcours',
    ]);
  });

  it('full ESSMS names with curly apostrophes, no technical detail on the director’s pages', () => {
    const document = build();
    const text = pagesText(document);
    expect(text).toContain(LONG_NAME.replace("'", '’'));
    expect(text).not.toContain("'");
    // No IANA zone, UTC instant, run id, path or command on the pages meant for the director.
    expect(text).not.toMatch(/Indian\/|Europe\/|America\//);
    expect(text).not.toMatch(/\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/);
    expect(text).not.toContain('run0');
    expect(text).not.toMatch(/esms (verify|run-once|export)/);
    expect(text).not.toMatch(/\/var\/|\/tmp\//);
    expect(text).not.toContain('Projet perso.');
    // French plurals, never "(s)".
    expect(JSON.stringify(document)).not.toMatch(/\(s\)/);
    // The technical detail is in the annex.
    const annex = JSON.stringify(document.annex);
    expect(annex).toContain('20240401T050000Z-run2');
    expect(annex).toContain('esms verify preuves.tar');
    expect(annex).toContain('Avertissement : 279 enregistrements modifiés après la fin de la période');
  });

  it('the fingerprint and the head hash in groups of four, lines of whole groups', () => {
    const reunion = page(build(), 1);
    const [key, head] = reunion.evidence.lines;
    expect(key?.lines).toEqual([
      '1a2b 3c4d 5e6f 7a8b 9c0d 1e2f 3a4b 5c6d',
      '7e8f 9a0b 1c2d 3e4f 5a6b 7c8d 9e0f 1a2b',
    ]);
    expect(head?.label).toBe('Empreinte de la dernière entrée du journal (entrée n° 6)');
    expect(head?.lines.join(' ')).toBe(Array.from({ length: 16 }, () => 'ffff').join(' '));
  });

  it('the statement to adapt and sign, with the VA attestation matching the figures', () => {
    const reunion = page(build(), 1);
    expect(reunion.statement?.paragraphs[0]).toMatch(
      /^Je soussigné\(e\) …+, en qualité de …+, pour l’organisme gestionnaire Association Les Lilas \(FINESS juridique 970408589\), atteste que les indicateurs d’usage du dossier usager informatisé présentés dans ce document ont été calculés pour la date de mesure du 1er avril 2024 \(période de recueil du 1er janvier 2024 au 31 mars 2024\), à partir des données du dossier usager informatisé des 2 établissements et services listés ci-dessus\.$/,
    );
    expect(reunion.statement?.paragraphs[1]).toBe(
      'J’atteste que la condition de la Vérification d’Aptitude (trois indicateurs non nuls : dossiers actifs, projet personnalisé, événement dans l’agenda) est remplie pour 1 des 2 établissements et services ; elle ne l’est pas pour SSIAD du Littoral.',
    );
    expect(reunion.statement?.fields).toEqual(['Fait à', 'Le', 'Signature (et cachet de l’organisme)']);
    expect(page(build(), 0).statement?.paragraphs[1]).toMatch(
      /^J’atteste que la condition de la Vérification d’Aptitude .* est remplie pour cet établissement ou service\.$/,
    );
    expect(reunion.verdict).toMatchObject({ tone: 'ok', title: '✓ Preuves vérifiées' });
    expect(reunion.refusal).toBeNull();
  });

  it('evidence that does not verify: the red verdict naming the failure in French, no signature block', () => {
    const document = build({
      ok: false,
      findings: [
        { seq: 5, check: 'recompute', severity: 'error' },
        { seq: 3, check: 'hash', severity: 'error' },
      ],
    });
    for (const p of document.pages) {
      expect(p.verdict.tone).toBe('ko');
      expect(p.verdict.title).toBe('✗ Preuves NON vérifiées : 2 problèmes');
      expect(p.verdict.lines[0]).toMatch(/^Ne signez pas/);
      expect(p.verdict.lines).toContain(
        'Problème, entrée n° 3 : le contenu de l’entrée ne correspond plus à son empreinte : l’entrée a été modifiée',
      );
      expect(p.statement).toBeNull();
      expect(p.refusal).toMatch(/^Pas de signature/);
    }
    expect(JSON.stringify(document.annex)).toContain('Problème, entrée n° 5 : les chiffres recalculés');
    expect(
      build({ ok: false, findings: [{ seq: 1, check: 'signature', severity: 'error' }] }).pages[0]?.verdict
        .title,
    ).toBe('✗ Preuves NON vérifiées : 1 problème');
  });

  it('nothing sealed yet: one neutral page, nothing to sign, no annex', () => {
    const document = build({ nothingSealed: true });
    expect(document.pages).toEqual([]);
    expect(document.annex).toBeNull();
    expect(document.cover?.verdict).toEqual({
      tone: 'neutral',
      title: 'Aucun calcul scellé pour l’instant',
      lines: ['Il n’y a encore rien à vérifier ni à signer.'],
    });
    expect(JSON.stringify(document)).not.toMatch(/Ne signez pas|NON vérifiées|soussigné/);
  });

  it('evidence so damaged that no run can be read: one red page, nothing to sign, the findings in the annex', () => {
    const input = {
      ...sampleReportInput({ ok: false, findings: [{ seq: null, check: 'journal', severity: 'error' }] }),
      runs: [],
    };
    const document = buildAttestation(input, null, OPTIONS);
    expect(document.pages).toEqual([]);
    expect(document.cover?.verdict.tone).toBe('ko');
    expect(document.cover?.verdict.lines).toContain(
      'Problème : le journal des preuves est absent ou illisible',
    );
    expect(JSON.stringify(document.annex)).toContain('le journal des preuves est absent ou illisible');
    expect(JSON.stringify(document)).not.toContain('soussigné');
  });

  it('says what became of the transmission: none configured, pending, late, refused, overdue, sent again', () => {
    const transmission = (state: NonNullable<SampleOptions['transmission']>): string | undefined =>
      factOf(page(build({ transmission: state }), 1), 'Transmission à l’ARS');
    // « La transmission » is feminine: non transmise.
    expect(transmission({ kind: 'not-configured' })).toBe(
      'non transmise : aucun point de collecte configuré',
    );
    expect(transmission({ kind: 'pending', pastDeadline: false, resent: false })).toBe(
      'en cours, en attente de l’accusé de réception de l’ARS',
    );
    expect(transmission({ kind: 'pending', pastDeadline: true, resent: false })).toBe(
      'en retard : toujours sans accusé de réception de l’ARS après la date limite',
    );
    expect(transmission({ kind: 'pending', pastDeadline: false, resent: true })).toBe(
      'renvoyée, en attente de l’accusé de réception de l’ARS',
    );
    expect(transmission({ kind: 'refused', at: '2024-04-01T06:00:00Z', httpStatus: 422 })).toBe(
      'refusée par l’ARS (code 422) le 1er avril 2024 à 10 h 00 (La Réunion, UTC+4) : à corriger par l’équipe informatique, puis à renvoyer',
    );
    expect(transmission({ kind: 'overdue', at: '2024-04-04T06:00:00Z', httpStatus: 503 })).toBe(
      'non remise : sans accusé de réception de l’ARS à la date limite des nouvelles tentatives, le 4 avril 2024 à 10 h 00 (La Réunion, UTC+4), dernière réponse de l’ARS : code 503 ; à renvoyer',
    );
    // An ARS that answered 503 was not "unreachable" (issue 11 A5).
    expect(transmission({ kind: 'overdue', at: null, httpStatus: null })).toBe(
      'non remise : sans accusé de réception de l’ARS à la date limite des nouvelles tentatives ; à renvoyer',
    );
  });

  it('the trend over the sealed runs up to D, the organisation’s weighted rates', () => {
    const reunion = page(build({}, { measureDate: '2024-03-01' }), 1);
    expect(reunion.trend.table?.rows.map((r) => r.title)).toEqual(['1er février 2024', '1er mars 2024']);
    expect(reunion.trend.note).toBe('2 mesures, de la plus ancienne à la plus récente.');
    const first = page(build({}, { measureDate: '2024-02-01' }), 1);
    expect(first.trend.table).toBeNull();
    expect(first.trend.note).toBe('Première mesure scellée : pas encore d’évolution à montrer.');
  });

  it('--organisation gives that organisation’s attestation only', () => {
    const document = build({}, { organisation: REUNION_OG });
    expect(document.pages).toHaveLength(1);
    expect(page(document).subheading).toContain('Association Les Lilas');
    expect(JSON.stringify(document)).not.toContain('Yvette');
  });

  it('metadata: title, author = the agent, creation date', () => {
    expect(build().metadata).toEqual({
      title: 'Attestation d’usage du DUI — ESMS numérique — mesure du 1er avril 2024',
      author: 'esms 0.1.0 (esms-numerique)',
      subject: 'Indicateurs d’usage du dossier usager informatisé (ESMS numérique, Ségur du numérique)',
      createdAt: '2024-04-02T08:00:00.000Z',
    });
  });

  it('evidence that does not verify: no figure is judged against its target, every one is marked not verified (issue 11 A6)', () => {
    const document = build({ ok: false });
    for (const p of document.pages) {
      const cells = [...p.table.rows, ...(p.trend.table?.rows ?? [])].flatMap((r) => r.cells);
      for (const cell of cells) {
        expect(cell.main).not.toMatch(/[✓✗]/);
        expect(cell.tone).toBe('neutral');
        expect(cell.main).toContain('(non vérifié)');
      }
      expect(factOf(p, 'Vérification d’Aptitude')).toBe('non établie : les preuves ne sont pas vérifiées');
      expect(p.notes.join(' ')).toMatch(/^Chiffres NON vérifiés/);
      expect(p.notes.join(' ')).not.toContain('Ne remplit pas');
    }
  });

  it('--finess on part of an organisation says the attestation is partial (issue 11 A2)', () => {
    const document = build({}, { finess: ['970400024'] });
    const p = page(document);
    expect(p.subheading).toBe(
      `Association Les Lilas — FINESS juridique ${REUNION_OG} — 1 ESSMS sur 2 (attestation partielle)`,
    );
    expect(p.statement?.paragraphs[0]).toContain(
      'du seul établissement ou service ci-dessus, sur les 2 établissements et services de l’organisme gestionnaire.',
    );
    // The whole organisation: not partial.
    expect(page(build({}, { organisation: REUNION_OG })).subheading).toMatch(/— 2 ESSMS$/);
  });

  it('no ARS configured: the annex names no submission and no transmitted data (issue 11 A4)', () => {
    const annex = JSON.stringify(build({ transmission: { kind: 'not-configured' } }).annex);
    expect(annex).not.toContain('Identifiant de transmission');
    expect(annex).not.toContain('Données transmises à l’ARS');
    expect(annex).toContain('ceux calculés et scellés');
    expect(JSON.stringify(build().annex)).toContain('Identifiant de transmission');
  });

  it('the copyable commands name the store read and never break inside the fingerprint (issue 11 A7)', () => {
    const input = sampleReportInput();
    const document = buildAttestation(input, selectReport(input, {}), {
      ...OPTIONS,
      store: { option: '--config', path: '/etc/esms/esms config.yaml' },
    });
    const block = document.annex?.blocks.find((b) => b.kind === 'text');
    if (block?.kind !== 'text') throw new Error('no text block');
    expect(block.commands[0]).toBe(
      "esms export-evidence --config '/etc/esms/esms config.yaml' \\\n  --out preuves.tar",
    );
    const lines = block.commands.flatMap((c) => c.split('\n'));
    const fingerprintLine = lines.find((l) => l.includes('--fingerprint'));
    expect(fingerprintLine).toBe(
      '  --fingerprint "1a2b 3c4d 5e6f 7a8b 9c0d 1e2f 3a4b 5c6d 7e8f 9a0b 1c2d 3e4f 5a6b 7c8d 9e0f 1a2b"',
    );
    // Short enough for one line of the PDF's and the HTML's fixed-width text.
    for (const line of lines) expect(line.length).toBeLessThanOrEqual(100);
  });

  it('ESSMS without an organisme gestionnaire: their total sums numerators and denominators', () => {
    const input = sampleReportInput();
    const run = input.runs.at(-1);
    if (run === undefined) throw new Error('fixture changed');
    run.results.organisations = [];
    const document = buildAttestation(input, selectReport(input, {}), OPTIONS);
    const p = page(document);
    expect(p.subheading).toBe('ESSMS sans organisme gestionnaire renseigné — 3 ESSMS');
    const total = p.table.rows.at(-1);
    expect(total?.title).toBe('Ensemble de ces ESSMS');
    const members = run.results.establishments;
    const n = members.reduce((a, e) => a + e.indicators['taux-dossiers-actifs'].numerator, 0);
    const d = members.reduce((a, e) => a + e.indicators['taux-dossiers-actifs'].denominator, 0);
    expect(total?.cells[0]?.small).toBe(`${n} / ${d}`);
  });
});
