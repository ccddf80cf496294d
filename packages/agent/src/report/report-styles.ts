/** The HTML report's only stylesheet: inline, system fonts, A4 print rules; no external resource at all. */
export const REPORT_CSS = `
:root { --ok: #17663a; --ok-bg: #e5f4ea; --ko: #a32020; --ko-bg: #fbe9e9; --muted: #5b6470; --line: #c9ced4; --ink: #1c2530; --neutral-bg: #eef1f4; }
* { box-sizing: border-box; }
html { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
body { font-family: "DejaVu Sans Condensed", "Segoe UI", "Helvetica Neue", Arial, "DejaVu Sans", sans-serif; color: var(--ink); margin: 0; font-size: 9.5pt; line-height: 1.35; background: #fff; }
main { max-width: 190mm; margin: 0 auto; padding: 10mm 0; }
h1 { font-size: 15pt; margin: 0 0 1mm; }
h2 { font-size: 11.5pt; margin: 0 0 3mm; color: #3d4854; }
h3 { font-size: 10pt; margin: 3mm 0 1mm; }
/* A heading stays with what follows it; a short block (the copyable commands) is never split. */
h1, h2, h3 { break-after: avoid; page-break-after: avoid; }
.keep { break-inside: avoid; page-break-inside: avoid; }
p { margin: 1mm 0; }
section.page, section.annex { break-before: page; page-break-before: always; }
section.page:first-child { break-before: auto; page-break-before: auto; }
.facts { display: grid; grid-template-columns: 34mm 1fr; gap: 0.6mm 4mm; margin: 3mm 0; }
.facts dt { color: var(--muted); }
.facts dd { margin: 0; font-weight: 700; }
.verdict { border: 1px solid; border-radius: 1.5mm; padding: 2mm 3mm; margin: 3mm 0; }
.verdict strong { font-size: 11.5pt; display: block; }
.verdict p { font-size: 8pt; color: var(--ink); }
.verdict.ok { background: var(--ok-bg); border-color: var(--ok); color: var(--ok); }
.verdict.ko { background: var(--ko-bg); border-color: var(--ko); color: var(--ko); }
.verdict.neutral { background: var(--neutral-bg); border-color: #3d4854; color: #3d4854; }
table { border-collapse: collapse; width: 100%; margin: 2mm 0 2mm; }
th, td { border-bottom: 0.5pt solid var(--line); padding: 0.6mm 1mm; text-align: right; vertical-align: top; }
th:first-child, td:first-child { text-align: left; }
th { font-size: 7.2pt; border-bottom: 1.2pt solid var(--ink); }
th span, td span.small { display: block; font-weight: 400; color: var(--muted); font-size: 7.2pt; }
td strong { font-size: 8.8pt; white-space: nowrap; }
tr.total td { background: #f2f4f6; font-weight: 700; }
.ok { color: var(--ok); }
.ko { color: var(--ko); }
.notes p, p.note { font-size: 8pt; color: var(--muted); }
.mono { font-family: "DejaVu Sans Mono", Consolas, monospace; font-size: 8pt; }
/* One line of whole groups of four hex digits each: never broken inside a group. */
dd .line, .side-by-side .line { display: block; white-space: nowrap; }
.side-by-side { display: grid; grid-template-columns: 1fr 1fr; gap: 4mm; }
.side-by-side .label { display: block; font-size: 8pt; color: var(--muted); }
.statement { break-inside: avoid; page-break-inside: avoid; }
.statement p { text-align: justify; }
.fields { display: grid; grid-template-columns: 1fr 1fr; gap: 4mm 6mm; margin-top: 3mm; }
.fields div { border-bottom: 0.6pt dotted var(--muted); padding-bottom: 1mm; }
.fields .signature { grid-column: 2; border: 0.6pt solid var(--muted); height: 22mm; }
.refusal { color: var(--ko); font-weight: 700; margin-top: 3mm; }
.annex li { margin: 0.8mm 0; font-size: 8.5pt; }
pre { font-family: "DejaVu Sans Mono", Consolas, monospace; font-size: 8pt; margin: 1mm 0 1mm 4mm; white-space: pre-wrap; }
footer { margin-top: 6mm; font-size: 7.2pt; color: var(--muted); border-top: 0.5pt solid var(--line); padding-top: 1.5mm; }
@page { size: A4; margin: 11mm 12mm; }
@media print { main { padding: 0; max-width: none; } body { font-size: 9pt; } }
`;
