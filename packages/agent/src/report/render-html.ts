import type {
  AnnexBlock,
  AttestationDocument,
  AttestationPage,
  Cell,
  CoverPage,
  LinesFact,
  Table,
  Verdict,
} from './attestation-model.js';
import { html } from './format.js';
import type { Html } from './format.js';
import { REPORT_CSS } from './report-styles.js';

/**
 * The attestation as one static HTML file (inline CSS, no script, no external request, a CSP that forbids
 * any) that prints to A4: the same document as the PDF, laid out for a browser. Every text is escaped.
 */
export function renderHtml(document: AttestationDocument): string {
  const body = html`${document.cover === null ? '' : cover(document.cover)}${document.pages.map(page)}${
      document.annex === null ? '' : annex(document.annex)
    }
    <footer>${document.footer}</footer>`;
  return `<!DOCTYPE html>
<html lang="fr">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<meta name="author" content="${html`${document.metadata.author}`.value}">
<meta name="description" content="${html`${document.metadata.subject}`.value}">
<title>${html`${document.metadata.title}`.value}</title>
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

function verdict(v: Verdict): Html {
  return html`<div class="verdict ${v.tone}">
    <strong>${v.title}</strong>${v.lines.map((line) => html`<p>${line}</p>`)}
  </div>`;
}

function cover(c: CoverPage): Html {
  return html`<section class="page">
    <h1>${c.heading}</h1>
    ${verdict(c.verdict)}${c.paragraphs.map((p) => html`<p>${p}</p>`)}
  </section>`;
}

function cell(c: Cell): Html {
  const tone = c.tone === 'neutral' ? '' : c.tone;
  return html`<td>
    ${c.small === '' ? '' : html`<span class="small">${c.small}</span>`}${c.tone === 'neutral' ? c.main : html`<strong class="${tone}">${c.main}</strong>`}
  </td>`;
}

function table(t: Table): Html {
  return html`<table>
    <thead>
      <tr>
        ${t.headers.map((h) => html`<th>${h.title}${h.subtitle === '' ? '' : html`<span>${h.subtitle}</span>`}</th>`)}
      </tr>
    </thead>
    <tbody>
      ${t.rows.map(
        (row) =>
          html`<tr class="${row.total ? 'total' : ''}">
            <td>
              ${row.title}${row.subtitle === '' ? '' : html`<span class="small">${row.subtitle}</span>`}
            </td>
            ${row.cells.map(cell)}
          </tr>`,
      )}
    </tbody>
  </table>`;
}

function linesFacts(items: readonly LinesFact[]): Html {
  return html`<dl class="facts">
    ${items.map(
      (f) =>
        html`<dt>${f.label}</dt>
          <dd class="${f.mono ? 'mono' : ''}">
            ${f.lines.map((line) => html`<span class="line">${line}</span>`)}
          </dd>`,
    )}
  </dl>`;
}

function page(p: AttestationPage): Html {
  return html`<section class="page">
    <h1>${p.heading}</h1>
    <h2>${p.subheading}</h2>
    <dl class="facts">
      ${p.facts.map(
        (f) =>
          html`<dt>${f.label}</dt>
            <dd>${f.value}</dd>`,
      )}
    </dl>
    ${verdict(p.verdict)} ${table(p.table)}
    <div class="notes">${p.notes.map((n) => html`<p>${n}</p>`)}</div>
    <h3>${p.trend.title}</h3>
    ${p.trend.table === null ? '' : table(p.trend.table)}
    <p class="note">${p.trend.note}</p>
    <h3>Ce que vérifie un auditeur</h3>
    <div class="side-by-side">
      ${p.evidence.lines.map(
        (f) =>
          html`<div>
            <span class="label">${f.label}</span
            >${f.lines.map((line) => html`<span class="line ${f.mono ? 'mono' : ''}">${line}</span>`)}
          </div>`,
      )}
    </div>
    <p class="note">${p.evidence.note}</p>
    ${p.statement === null ? '' : statement(p.statement)}
    ${p.refusal === null ? '' : html`<p class="refusal">${p.refusal}</p>`}
  </section>`;
}

function statement(s: NonNullable<AttestationPage['statement']>): Html {
  return html`<div class="statement">
    <h3>Attestation</h3>
    ${s.paragraphs.map((text) => html`<p>${text}</p>`)}
    <div class="fields">
      ${s.fields.map((field, i) =>
        i === s.fields.length - 1
          ? html`<div>${field} :</div>
              <div class="signature"></div>`
          : html`<div>${field} :</div>`,
      )}
    </div>
  </div>`;
}

function block(b: AnnexBlock): Html {
  switch (b.kind) {
    case 'facts':
      return html`<h3>${b.title}</h3>
        ${linesFacts(b.facts)}`;
    case 'list':
      return html`<h3>${b.title}</h3>
        ${b.intro === null ? '' : html`<p class="note">${b.intro}</p>`}
        <ul>
          ${b.items.map((item) => html`<li>${item}</li>`)}
        </ul>`;
    case 'table':
      return html`<h3>${b.title}</h3>
        ${table(b.table)}`;
    case 'text':
      // Kept whole on one printed page: its heading never alone at the foot of a page.
      return html`<div class="keep">
        <h3>${b.title}</h3>
        ${b.paragraphs.map((p) => html`<p>${p}</p>`)}${b.commands.map((c) => html`<pre>${c}</pre>`)}
      </div>`;
  }
}

function annex(a: NonNullable<AttestationDocument['annex']>): Html {
  return html`<section class="annex">
    <h1>${a.heading}</h1>
    <p class="note">${a.intro}</p>
    ${a.blocks.map(block)}
  </section>`;
}
