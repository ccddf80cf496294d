import { html, type Html } from '../../report/format.js';

/** Every page: French, a skip link, the title, the one stylesheet (no script at all). */
export function page(title: string, body: Html): string {
  return html`<!doctype html>
    <html lang="fr">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="referrer" content="no-referrer" />
        <title>${title} — ESMS numérique</title>
        <link rel="stylesheet" href="/tableau-de-bord/style.css" />
      </head>
      <body>
        <a class="skip" href="#contenu">Aller au contenu</a>
        <header>
          <p class="muted">ESMS numérique — suivi des cibles d’usage du DUI</p>
          <h1>${title}</h1>
        </header>
        <main id="contenu">${body}</main>
        <footer class="muted">
          <p>
            Servi par <code>esms serve</code> sur cette machine ; aucune ressource extérieure n’est chargée.
          </p>
        </footer>
      </body>
    </html> `.value;
}
