import { describe, expect, it } from 'vitest';
import { escapeHtml, frenchPercent } from './format.js';
import { renderReport } from './render-report.js';
import { sampleReportInput } from './__fixtures__/report-input.js';

/** The visible text of the HTML (tags dropped, entities decoded): what a reader sees. */
function visibleText(page: string): string {
  return page
    .replace(/<style>[\s\S]*?<\/style>/g, '')
    .replace(/<title>[\s\S]*?<\/title>/g, '')
    .replace(/<[^>]+>/g, ' ')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&')
    .replace(/[ \t\r\n]+/g, ' ');
}

describe('renderReport', () => {
  const input = sampleReportInput();
  const page = renderReport(input);
  const text = visibleText(page);
  const latest = input.runs[2]?.results.establishments.find((e) => e.finess === '970400024');
  if (latest === undefined) throw new Error('fixture changed');

  it('shows the five indicators with their French names, targets and verdicts', () => {
    for (const label of [
      'Taux de dossiers actifs',
      // The titles of the SDK's indicator registry (they had drifted from the Measures' titles).
      'Taux de dossiers actifs avec un projet personnalisé',
      'Taux de dossiers actifs ayant au moins un événement dans l’agenda',
      'Taux d’utilisation de la MSSanté',
      'Taux d’utilisation du DMP',
    ]) {
      expect(text).toContain(label);
    }
    expect(text).toContain('Cible');
    expect(text).toContain('Atteinte');
    expect(text).toContain('Non atteinte');
    const dmp = latest.indicators['taux-dmp'];
    expect(text).toContain(`${dmp.numerator} / ${dmp.denominator}`);
    expect(text).toContain(frenchPercent(dmp.rate));
  });

  it('shows the period, the measure date and the VA check per ESSMS', () => {
    expect(text).toContain('Période de recueil du 01/01/2024 au 31/03/2024');
    expect(text).toContain('Date de mesure 01/04/2024');
    expect(text).toContain('Vérification d’Aptitude (VA) : indicateurs non nuls ✓');
    // 970400032 has active dossiers but no agenda event: not VA-ready, and the report says why.
    expect(text).toContain('Vérification d’Aptitude (VA) : indicateurs non nuls ✗');
    expect(text).toContain(
      'Taux de dossiers actifs ayant au moins un événement dans l’agenda : nul (0 sur 4)',
    );
  });

  it('one page per organisation, A4 print rules, trend charts inline, no script and no external URL', () => {
    expect(page).toContain('@page { size: A4');
    expect(page.match(/<section class="organisation">/g)).toHaveLength(1);
    expect(page).toMatch(/break-before: page/);
    expect(page.match(/<svg\s+class="trend"/g)?.length).toBeGreaterThanOrEqual(10);
    expect(page).not.toMatch(/<script/i);
    expect(page.replace(/xmlns="http:\/\/www\.w3\.org\/2000\/svg"/g, '')).not.toMatch(/(https?:)?\/\/[a-z]/i);
  });

  it('shows the evidence digests, the key fingerprint and the verification result', () => {
    expect(text).toContain(input.verification.keyFingerprint ?? 'x');
    expect(text).toContain(`sha256:${'1'.repeat(64)}`);
    expect(text).toContain('Preuves vérifiées');
    const failed = visibleText(renderReport(sampleReportInput({ ok: false })));
    expect(failed).toContain('Preuves NON vérifiées : 1 problème(s)');
    expect(failed).toContain('taux-dmp numerator for 970400024 sealed 12, recomputed 11');
  });

  it('escapes every text (XSS-safe)', () => {
    const evil = '<script>alert(1)</script><img src=x onerror=alert(2)>';
    const hostile = renderReport(sampleReportInput({ name: evil }));
    expect(hostile).not.toContain('<script>');
    expect(hostile).not.toContain('<img');
    expect(hostile).toContain(escapeHtml(evil));
    expect(visibleText(hostile)).toContain(evil);
  });

  it('renders a store without runs', () => {
    const empty = renderReport({ ...sampleReportInput(), runs: [] });
    expect(visibleText(empty)).toContain('Aucun calcul scellé');
  });
});
