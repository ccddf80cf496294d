import { INDICATORS, RATE_INDICATOR_IDS, VA_INDICATOR_IDS } from '@esms-numerique/sdk';
import { html, type Html } from '../../report/format.js';
import { frenchLocalDateTime, frenchLongDate } from '../../report/french/dates.js';
import { frenchPercent, frenchTarget } from '../../report/french/typography.js';
import type { TransmissionState } from '../../report/report-model.js';
import { INDICATOR_COLUMN_LABELS } from '../../report/labels.js';
import type { DashboardEstablishment, DashboardModel } from './dashboard-model.js';
import { isWorklistIndicator } from './french-reasons.js';
import { page } from './layout.js';
import { trendSvg } from './trend-svg.js';

/** The overview: per ESSMS, the five indicators against their targets across the sealed runs. */
export function renderOverview(model: DashboardModel): string {
  const body = html`
    <ul class="facts" aria-label="État de l’installation">
      <li>
        <strong>Exécutions scellées :</strong> ${model.sealedRuns}
        (${model.measureDates.map(frenchLongDate).join(', ') || 'aucune'})
      </li>
      <li>
        <strong>Prochaine exécution :</strong>
        ${model.nextRun === null ? 'aucune prévue' : frenchLocalDateTime(model.nextRun, model.timezone)}
      </li>
      <li>
        <strong>Dernière transmission :</strong>
        ${model.lastRun === null ? 'aucune' : transmission(model.lastRun.transmission, model.timezone)}
      </li>
      <li><strong>Preuves :</strong> ${verification(model)}</li>
    </ul>
    <p class="muted">
      Les listes de travail (dossiers qui ne comptent pas) sont calculées sur les sources configurées à la
      date de mesure du ${frenchLongDate(model.worklistMeasureDate)} ; elles demandent le jeton du service.
    </p>
    ${model.establishments.map((e) => establishmentSection(e, model))}
  `;
  return page('Tableau de bord', body);
}

function establishmentSection(e: DashboardEstablishment, model: DashboardModel): Html {
  const id = `essms-${e.finess}`;
  const va =
    e.last === null
      ? html`<span class="muted">aucune exécution scellée</span>`
      : e.last.vaReady
        ? html`<span class="met">prête</span>`
        : html`<span class="not-met">non prête</span> <span class="muted">(${vaMissing(e)})</span>`;
  return html` <section aria-labelledby="${id}">
    <h2 id="${id}">${e.name ?? 'ESSMS'} <span class="muted">— FINESS ${e.finess}</span></h2>
    <p>
      ${e.organisation === null ? '' : html`Organisme gestionnaire : FINESS ${e.organisation}. `}Vérification
      d’aptitude (VA) : ${va}
    </p>
    <div class="table-box">
      <table>
        <caption>
          Indicateurs de ${e.name ?? e.finess} sur ${model.measureDates.length} exécution(s) scellée(s)
        </caption>
        <thead>
          <tr>
            <th scope="col">Indicateur</th>
            <th scope="col">Dernier taux</th>
            <th scope="col">Numérateur / dénominateur</th>
            <th scope="col">Cible</th>
            <th scope="col">Atteinte</th>
            <th scope="col">Tendance</th>
            <th scope="col">Dossiers à reprendre</th>
          </tr>
        </thead>
        <tbody>
          ${RATE_INDICATOR_IDS.map((indicator) => {
            const points = e.trends[indicator];
            const last = points.at(-1)?.figures;
            const target = INDICATORS[indicator].target;
            return html`<tr>
              <th scope="row">${INDICATOR_COLUMN_LABELS[indicator]}</th>
              <td class="num">${last === undefined ? '—' : frenchPercent(last.rate)}</td>
              <td class="num">${last === undefined ? '—' : `${last.numerator} / ${last.denominator}`}</td>
              <td class="num">${frenchTarget(target)}</td>
              <td>
                ${last === undefined ? '—' : last.met ? html`<span class="met">atteinte</span>` : html`<span class="not-met">non atteinte</span>`}
              </td>
              <td>${trendSvg(points, target, INDICATOR_COLUMN_LABELS[indicator])}</td>
              <td>
                ${isWorklistIndicator(indicator) ? html`<a href="${`/tableau-de-bord/essms/${e.finess}/${indicator}`}">Liste de travail<span class="skip"> ${INDICATOR_COLUMN_LABELS[indicator]}, ${e.name ?? e.finess}</span></a>` : html`<span class="muted">messages, pas des dossiers</span>`}
              </td>
            </tr>`;
          })}
        </tbody>
      </table>
    </div>
  </section>`;
}

function transmission(state: TransmissionState, zone: string): Html | string {
  switch (state.kind) {
    case 'received':
      return html`<span class="met">reçue par l’ARS</span
        >${state.at === null ? '' : ` le ${frenchLocalDateTime(state.at, zone)}`}`;
    case 'refused':
      return html`<span class="not-met">refusée par l’ARS</span
        >${state.httpStatus === null ? '' : ` (HTTP ${state.httpStatus})`}`;
    case 'overdue':
      return html`<span class="not-met">abandonnée à l’échéance</span>`;
    case 'pending':
      return state.pastDeadline
        ? html`<span class="not-met">en attente, échéance dépassée</span>`
        : 'en cours d’envoi';
    case 'not-configured':
      return 'aucune ARS configurée (non transmise)';
  }
}

function verification(model: DashboardModel): Html | string {
  if (model.verification.nothingSealed) return 'rien de scellé';
  return model.verification.ok
    ? html`<span class="met">vérifiées</span>`
    : html`<span class="not-met"
        >ne se vérifient pas (${model.verification.errors} problème(s) ; voir esms verify)</span
      >`;
}

/** Why the VA is not ready, in French: the VA indicators not provided or at zero. */
function vaMissing(e: DashboardEstablishment): string {
  const zero = VA_INDICATOR_IDS.filter((id) => {
    const figures = e.last?.indicators[id];
    return figures === undefined || figures.denominator === 0 || figures.numerator === 0;
  }).map((id) => INDICATOR_COLUMN_LABELS[id].toLowerCase());
  return zero.length === 0 ? 'voir le rapport' : `à zéro ou non fourni : ${zero.join(', ')}`;
}
