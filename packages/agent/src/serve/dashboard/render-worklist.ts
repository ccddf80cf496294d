import { INDICATORS } from '@esms-numerique/sdk';
import { html } from '../../report/format.js';
import { frenchLongDate } from '../../report/french/dates.js';
import { frenchPercent, frenchTarget } from '../../report/french/typography.js';
import { INDICATOR_COLUMN_LABELS } from '../../report/labels.js';
import { EXCLUSION_REASON_LABELS, WORKLIST_GOAL } from './french-reasons.js';
import { page } from './layout.js';
import type { Worklist } from './worklist.js';

/** The corrective-action worklist of one ESSMS × indicator: the dossiers that do not count, and why. */
export function renderWorklist(
  worklist: Worklist,
  context: { name: string | null; measureDate: string; period: { start: string; end: string } },
): string {
  const label = INDICATOR_COLUMN_LABELS[worklist.indicator];
  const target = INDICATORS[worklist.indicator].target;
  const { figures, missing } = worklist;
  const goal = WORKLIST_GOAL[worklist.indicator];
  const csv = `/tableau-de-bord/essms/${worklist.finess}/${worklist.indicator}.csv?measureDate=${context.measureDate}`;
  const body = html` <p><a href="/tableau-de-bord">← Retour au tableau de bord</a></p>
    <ul class="facts">
      <li><strong>ESSMS :</strong> ${context.name ?? ''} (FINESS ${worklist.finess})</li>
      <li>
        <strong>Période :</strong> du ${frenchLongDate(context.period.start)} au
        ${frenchLongDate(context.period.end)}
      </li>
      <li>
        <strong>Taux :</strong> ${frenchPercent(figures.rate)} (${figures.numerator} /
        ${figures.denominator}), cible ${frenchTarget(target)}
      </li>
    </ul>
    <p class="goal" id="objectif">
      ${
        figures.denominator === 0
          ? 'Aucun dossier au dénominateur : le taux ne se calcule pas.'
          : missing === 0
            ? `Cible atteinte : ${frenchTarget(target)}.`
            : `${missing} ${missing === 1 ? 'dossier' : 'dossiers'} de plus ${missing === 1 ? goal.one : goal.many} → ${frenchTarget(target)} atteint`
      }
    </p>
    <p><a href="${csv}" download>Télécharger la liste (CSV)</a></p>
    <div class="table-box">
      <table id="liste">
        <caption>
          ${worklist.entries.length}
          ${worklist.entries.length === 1 ? 'dossier ne compte pas' : 'dossiers ne comptent pas'} —
          identifiants du DUI
        </caption>
        <thead>
          <tr>
            <th scope="col">Dossier (identifiant DUI)</th>
            <th scope="col">Dossiers fusionnés</th>
            <th scope="col">Raison</th>
            <th scope="col">Code</th>
          </tr>
        </thead>
        <tbody>
          ${worklist.entries.map(
            (e) =>
              html`<tr>
                <td><code>${e.dossier}</code></td>
                <td>
                  ${e.records.length > 1 ? html`<code>${e.records.join(', ')}</code>` : html`<span class="muted">—</span>`}
                </td>
                <td>${EXCLUSION_REASON_LABELS[e.reason]}</td>
                <td><code>${e.reason}</code></td>
              </tr>`,
          )}
        </tbody>
      </table>
    </div>`;
  return page(`Liste de travail — ${label}`, body);
}
