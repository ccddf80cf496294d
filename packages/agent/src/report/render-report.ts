import { RATE_INDICATORS, VA_INDICATORS } from '../evidence/recompute.js';
import type {
  EstablishmentResultLike,
  IndicatorResultsLike,
  OrganisationResultLike,
  RateIndicator,
} from '../evidence/recompute.js';
import { frenchDate, frenchInstant, frenchInteger, frenchPercent, html } from './format.js';
import type { Html } from './format.js';
import { INDICATOR_COUNTS, INDICATOR_LABELS, INDICATOR_SHORT_LABELS } from './labels.js';
import type { ReportInput, ReportRun } from './report-model.js';
import { REPORT_CSS } from './report-styles.js';
import { trendChart } from './trend-chart.js';
import type { TrendPoint } from './trend-chart.js';

const MAX_FINDINGS_SHOWN = 30;

/**
 * The signatory's report: one static HTML file (inline CSS and SVG, no script, no external request) that
 * prints to A4 PDF, one page per organisme gestionnaire. It shows, for the latest sealed run, each ESSMS's
 * five indicators against their targets, the Vérification d'Aptitude check, the trend across past runs,
 * and the evidence (digests, key fingerprint, verification result). Every dynamic text is escaped.
 */
export function renderReport(input: ReportInput): string {
  const current = input.runs.at(-1);
  const body = current === undefined ? renderEmpty(input) : renderRun(input, current);
  return `<!DOCTYPE html>
<html lang="fr">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<title>${html`${current === undefined ? 'Rapport ESMS numérique' : `Indicateurs ESMS numérique — mesure du ${frenchDate(current.measureDate)}`}`.value}</title>
<style>${REPORT_CSS}</style>
</head>
<body>
<main>
${body.value}
</main>
</body>
</html>
`;
}

function renderEmpty(input: ReportInput): Html {
  return html`<h1>Indicateurs d’usage du DUI — ESMS numérique</h1>
    <p class="subtitle">Aucun calcul scellé n’a été trouvé dans les preuves (${input.source}).</p>
    ${verificationBanner(input)} ${evidenceSection(input, undefined)}`;
}

function renderRun(input: ReportInput, run: ReportRun): Html {
  const { results } = run;
  const establishments = [...results.establishments].sort((a, b) => a.finess.localeCompare(b.finess));
  const groups = groupByOrganisation(establishments, results.organisations);
  const periods = new Set(establishments.map((e) => `${e.period.start}|${e.period.end}`));
  const first = establishments[0];
  const period =
    first === undefined
      ? 'aucun ESSMS'
      : periods.size === 1
        ? `du ${frenchDate(first.period.start)} au ${frenchDate(first.period.end)}`
        : 'selon l’ESSMS (voir chaque fiche)';
  const vaReadyCount = establishments.filter((e) => e.vaReady).length;
  return html`<section class="cover">
      <h1>Indicateurs d’usage du DUI — ESMS numérique</h1>
      <p class="subtitle">
        Rapport pour le signataire de l’attestation de Vérification d’Aptitude (VA), couloir médico-social du
        Ségur du numérique. Calculé localement ; seuls les chiffres agrégés sont transmis.
      </p>
      <dl class="facts">
        <dt>Date de mesure</dt>
        <dd>${frenchDate(run.measureDate)}</dd>
        <dt>Période de recueil</dt>
        <dd>${period}</dd>
        <dt>ESSMS</dt>
        <dd>
          ${establishments.length} ESSMS, ${groups.filter((g) => g.organisation !== null).length} organisme(s)
          gestionnaire(s)
        </dd>
        <dt>Vérification d’Aptitude</dt>
        <dd>${vaReadyCount} ESSMS sur ${establishments.length} avec les trois indicateurs DUI non nuls</dd>
        <dt>Calcul scellé le</dt>
        <dd>${frenchInstant(run.sealedAt)} (esms ${run.softwareVersion})</dd>
        <dt>Transmission à l’ARS</dt>
        <dd>${submissionText(run)}</dd>
        <dt>Qualité des données</dt>
        <dd>
          ${results.dataQuality.errors.length} erreur(s), ${results.dataQuality.warnings.length}
          avertissement(s) signalés par le calcul
        </dd>
      </dl>
      ${verificationBanner(input)}
      <h3>Synthèse par ESSMS</h3>
      <table class="summary">
        <thead>
          <tr>
            <th>ESSMS</th>
            ${RATE_INDICATORS.map((id) => html`<th class="num">${INDICATOR_SHORT_LABELS[id]}</th>`)}
            <th>VA</th>
          </tr>
        </thead>
        <tbody>
          ${establishments.map(
            (e) =>
              html`<tr>
                <td>${e.name ?? 'ESSMS'}<span class="counts">FINESS ${e.finess}</span></td>
                ${RATE_INDICATORS.map((id) => {
                  const r = e.indicators[id];
                  return html`<td class="num">
                    <span class="${r.rate === null ? 'na' : r.met ? 'met' : 'unmet'}"
                      >${frenchPercent(r.rate)}</span
                    >
                  </td>`;
                })}
                <td class="${e.vaReady ? 'met' : 'unmet'}">${e.vaReady ? '✓' : '✗'}</td>
              </tr>`,
          )}
        </tbody>
      </table>
      <p class="small">
        Cibles : 90 % pour les trois indicateurs DUI, 70 % pour la MSSanté et le DMP. En vert : cible atteinte
        ; en rouge : non atteinte ; « — » : pas de taux (aucune personne au dénominateur).
      </p>
    </section>
    ${groups.map((group) => organisationSection(group, input.runs))} ${evidenceSection(input, run)}
    <footer>
      Rapport produit le ${frenchInstant(input.generatedAt)} à partir des preuves ${input.source}. Le taux
      MSSanté compte des messages, non des personnes : il peut dépasser 100 %.
    </footer>`;
}

interface OrganisationGroup {
  organisation: OrganisationResultLike | null;
  establishments: EstablishmentResultLike[];
}

function groupByOrganisation(
  establishments: EstablishmentResultLike[],
  organisations: readonly OrganisationResultLike[],
): OrganisationGroup[] {
  const groups: OrganisationGroup[] = [...organisations]
    .sort((a, b) => a.finess.localeCompare(b.finess))
    .map((organisation) => ({
      organisation,
      establishments: establishments.filter((e) => organisation.establishments.includes(e.finess)),
    }));
  const placed = new Set(groups.flatMap((g) => g.establishments.map((e) => e.finess)));
  const alone = establishments.filter((e) => !placed.has(e.finess));
  if (alone.length > 0) groups.push({ organisation: null, establishments: alone });
  return groups;
}

function organisationSection(group: OrganisationGroup, runs: readonly ReportRun[]): Html {
  const { organisation } = group;
  const ready = group.establishments.filter((e) => e.vaReady).length;
  const all = ready === group.establishments.length && ready > 0;
  return html`<section class="organisation">
    <h2>
      ${organisation === null ? 'ESSMS sans organisme gestionnaire renseigné' : `Organisme gestionnaire : ${organisation.name ?? 'sans nom'}`}
    </h2>
    ${organisation === null ? '' : html`<p class="meta">FINESS juridique ${organisation.finess} — ${group.establishments.length} ESSMS</p>`}
    <div class="va ${all ? 'met' : 'unmet'}">
      <strong
        >Vérification d’Aptitude (VA) : ${ready} ESSMS sur ${group.establishments.length} avec les trois
        indicateurs DUI non nuls ${all ? '✓' : '✗'}</strong
      >
      <p class="small">
        L’attestation de VA atteste ces indicateurs non nuls pour chacun des ESSMS concernés par la commande.
      </p>
    </div>
    ${
      organisation === null
        ? ''
        : html`<h3>Ensemble de l’organisme (taux pondérés)</h3>
            ${indicatorTable(organisation.indicators, (id) => trendFor(runs, id, (r) => r.results.organisations.find((o) => o.finess === organisation.finess)?.indicators))}`
    }
    ${group.establishments.map((e) => establishmentBlock(e, runs))}
  </section>`;
}

function establishmentBlock(e: EstablishmentResultLike, runs: readonly ReportRun[]): Html {
  const persons = e.indicators['taux-dossiers-actifs'].denominator;
  const reasons = vaReasons(e.indicators);
  const prescriptions = e.indicators['e-prescriptions-importees'];
  const parcours = e.indicators['echanges-e-parcours'];
  return html`<article class="essms">
    <h3>${e.name ?? 'ESSMS sans nom'} — FINESS géographique ${e.finess}</h3>
    <p class="meta">
      Période de recueil du ${frenchDate(e.period.start)} au ${frenchDate(e.period.end)} (heure locale
      ${e.timezone}) · ${frenchInteger(persons)} personne(s) accompagnée(s) ·
      ${frenchInteger(e.dossiersActifs)} dossier(s) actif(s) · file active annuelle
      ${frenchInteger(e.fileActive)}
    </p>
    ${indicatorTable(e.indicators, (id) => trendFor(runs, id, (r) => r.results.establishments.find((x) => x.finess === e.finess)?.indicators))}
    <div class="va ${e.vaReady ? 'met' : 'unmet'}">
      <strong>Vérification d’Aptitude (VA) : indicateurs non nuls ${e.vaReady ? '✓' : '✗'}</strong> ${
        e.vaReady
          ? html`<p class="small">
              Les trois indicateurs DUI (dossiers actifs, projet personnalisé, événement dans l’agenda) sont
              fournis et non nuls.
            </p>`
          : html`<ul>
              ${(reasons.length > 0 ? reasons : [e.vaReason ?? 'raison non précisée']).map((reason) => html`<li>${reason}</li>`)}
            </ul>`
      }
    </div>
    <p class="small">
      Indicateurs optionnels : e-prescriptions importées ${frenchInteger(prescriptions.total)}
      (${Object.keys(prescriptions.byMonth)
        .sort()
        .map((month) => `${month.slice(5, 7)}/${month.slice(0, 4)} : ${prescriptions.byMonth[month] ?? 0}`)
        .join(', ')})
      · échanges avec la plateforme e-parcours
      ${frenchInteger(parcours.total)}${parcours.sinceProjectStart === null ? '' : ` (${frenchInteger(parcours.sinceProjectStart)} depuis le début du projet)`}
    </p>
  </article>`;
}

function indicatorTable(indicators: IndicatorResultsLike, trend: (id: RateIndicator) => TrendPoint[]): Html {
  return html`<table class="indicators">
    <colgroup>
      <col style="width:33%" />
      <col style="width:21%" />
      <col style="width:9%" />
      <col style="width:7%" />
      <col style="width:14%" />
      <col style="width:16%" />
    </colgroup>
    <thead>
      <tr>
        <th>Indicateur</th>
        <th class="num">Numérateur / dénominateur</th>
        <th class="num">Taux</th>
        <th class="num">Cible</th>
        <th>Résultat</th>
        <th>Évolution</th>
      </tr>
    </thead>
    <tbody>
      ${RATE_INDICATORS.map((id) => {
        const r = indicators[id];
        const counts = INDICATOR_COUNTS[id];
        const verdict =
          r.rate === null
            ? html`<span class="pill unmet">Non atteinte</span
                ><span class="counts">aucune personne au dénominateur</span>`
            : r.met
              ? html`<span class="pill met">Atteinte</span>`
              : html`<span class="pill unmet">Non atteinte</span>`;
        return html`<tr>
          <td>${INDICATOR_LABELS[id]}</td>
          <td class="num">
            ${frenchInteger(r.numerator)} / ${frenchInteger(r.denominator)}<span class="counts"
              >${counts.numerator} / ${counts.denominator}</span
            >
          </td>
          <td class="num"><strong>${frenchPercent(r.rate)}</strong></td>
          <td class="num">${`${r.target}\u202f%`}</td>
          <td>${verdict}</td>
          <td>${trendChart(trend(id), r.target)}</td>
        </tr>`;
      })}
    </tbody>
  </table>`;
}

/** Rates of one indicator across runs: one point per measure date (the latest run of that date). */
function trendFor(
  runs: readonly ReportRun[],
  id: RateIndicator,
  pick: (run: ReportRun) => IndicatorResultsLike | undefined,
): TrendPoint[] {
  const byDate = new Map<string, ReportRun>();
  for (const run of runs) byDate.set(run.measureDate, run);
  return [...byDate.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .flatMap(([measureDate, run]) => {
      const indicators = pick(run);
      return indicators === undefined ? [] : [{ measureDate, rate: indicators[id].rate }];
    });
}

function vaReasons(indicators: IndicatorResultsLike): string[] {
  return VA_INDICATORS.flatMap((id) => {
    const r = indicators[id];
    if (r.denominator === 0) return [`${INDICATOR_LABELS[id]} : non fourni (aucun dossier au dénominateur)`];
    if (r.numerator === 0) return [`${INDICATOR_LABELS[id]} : nul (0 sur ${r.denominator})`];
    return [];
  });
}

function submissionText(run: ReportRun): string {
  switch (run.submission.status) {
    case 'received':
      return `transmis, accusé de réception enregistré${run.submission.at === null ? '' : ` le ${frenchInstant(run.submission.at)}`}`;
    case 'failed':
      return `échec de la transmission${run.submission.detail === null ? '' : ` : ${run.submission.detail}`}`;
    case 'pending':
      return 'en attente (aucun accusé de réception enregistré)';
  }
}

function verificationBanner(input: ReportInput): Html {
  const v = input.verification;
  if (v.nothingSealed) {
    return html`<div class="banner">
      <strong>Aucun calcul scellé pour l’instant</strong><br />Le journal des preuves ne contient encore
      aucune entrée : il n’y a rien à vérifier ni à signer. Le premier calcul (<code>esms run-once</code>, ou
      le prochain passage planifié) sera scellé avant sa transmission.
    </div>`;
  }
  return v.ok
    ? html`<div class="banner ok">
        <strong>✓ Preuves vérifiées</strong><br />Les ${v.entries} entrée(s) du journal sont intactes,
        chaînées et signées ; les chiffres de ${v.runsRecomputed} calcul(s) ont été recalculés à partir des
        données scellées et
        concordent.${v.warnings > 0 ? ` ${v.warnings} avertissement(s), voir la page « Preuves ».` : ''}
      </div>`
    : html`<div class="banner ko">
        <strong>✗ Preuves NON vérifiées : ${v.errors} problème(s)</strong><br />Ne signez pas sur la foi de ce
        rapport avant d’avoir fait examiner les preuves (détail à la page « Preuves »).
      </div>`;
}

function evidenceSection(input: ReportInput, run: ReportRun | undefined): Html {
  const v = input.verification;
  return html`<section class="evidence">
    <h2>Preuves</h2>
    <p>
      Chaque calcul est scellé avant sa transmission : les données utiles au calcul (pseudonymisées : ni nom,
      ni INS, ni texte libre), les résultats et les octets exacts transmis, dans un journal où chaque entrée
      est signée et reliée à la précédente. Un auditeur peut tout vérifier et recalculer chaque chiffre, hors
      ligne, avec <code>esms verify</code>, sans faire confiance à l’éditeur.
    </p>
    <dl class="facts">
      <dt>Empreinte de la clé de signature</dt>
      <dd class="digest">${v.keyFingerprint ?? 'inconnue'}</dd>
      <dt>Journal</dt>
      <dd>${v.entries} entrée(s), dernière n° ${v.lastSeq ?? '—'}</dd>
      <dt>Empreinte de la dernière entrée</dt>
      <dd class="digest">${v.lastHash ?? '—'}</dd>
      ${
        run === undefined
          ? ''
          : html`<dt>Calcul rapporté</dt>
              <dd>${run.runId} (entrée n° ${run.seq})</dd>
              <dt>Empreinte de l’entrée</dt>
              <dd class="digest">${run.entryHash}</dd>
              <dt>Données scellées (projection)</dt>
              <dd class="digest">${run.digests.projection}</dd>
              <dt>Résultats</dt>
              <dd class="digest">${run.digests.results}</dd>
              <dt>Listes de personnes (pseudonymes)</dt>
              <dd class="digest">${run.digests.subjects}</dd>
              <dt>Octets transmis</dt>
              <dd class="digest">${run.digests.submission}</dd>
              <dt>Identifiant de transmission</dt>
              <dd class="digest">${run.submission.id}</dd>`
      }
    </dl>
    ${verificationBanner(input)}
    ${
      v.messages.length === 0
        ? ''
        : html`<h3>Constats de la vérification</h3>
            <ul class="findings">
              ${v.messages
                .slice(0, MAX_FINDINGS_SHOWN)
                .map(
                  (m) =>
                    html`<li class="${m.severity}">
                      ${m.severity === 'error' ? 'Problème' : m.severity === 'warning' ? 'Avertissement' : 'Information'}
                      : ${m.text}
                    </li>`,
                )}
            </ul>
            ${v.messages.length > MAX_FINDINGS_SHOWN ? html`<p class="small">… et ${v.messages.length - MAX_FINDINGS_SHOWN} autre(s) : voir <code>esms verify</code>.</p>` : ''}`
    }
    <p class="small">
      Pour vérifier : <code>esms export-evidence --out preuves.tar.gz</code> puis, chez l’auditeur,
      <code>esms verify preuves.tar.gz --public-key evidence-key.pub.pem</code>. Comparez l’empreinte de clé
      affichée avec celle ci-dessus ; l’empreinte de la dernière entrée atteste qu’aucune entrée antérieure
      n’a été modifiée ni retirée.
    </p>
  </section>`;
}
