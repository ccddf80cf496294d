import { html } from '../../report/format.js';
import { page } from './layout.js';

/** The login form: the service's token, posted to this service only (form-action 'self'). */
export function renderLogin(next: string, problem: string | null, configured: boolean): string {
  const body = configured
    ? html` <p>
          Les listes de travail nomment des dossiers : elles demandent le jeton du service (<code
            >serve.token</code
          >
          de la configuration).
        </p>
        ${problem === null ? '' : html`<p class="error" role="alert">${problem}</p>`}
        <form class="login" method="post" action="/tableau-de-bord/connexion">
          <input type="hidden" name="suite" value="${next}" />
          <label for="jeton">Jeton du service</label>
          <input
            id="jeton"
            name="jeton"
            type="password"
            autocomplete="current-password"
            required
            aria-describedby="aide-jeton"
          />
          <p id="aide-jeton" class="muted">
            Il est conservé par le navigateur le temps de la session, dans un cookie réservé à ce service.
          </p>
          <button type="submit">Se connecter</button>
        </form>`
    : html`<p class="error" role="alert">
          Aucun jeton n’est configuré (<code>serve.token</code>) : les listes de travail ne sont pas servies.
        </p>
        <p><a href="/tableau-de-bord">← Retour au tableau de bord</a></p>`;
  return page('Connexion', body);
}
