/** The report's only stylesheet: inline, system fonts, A4 print rules; no external resource at all. */
export const REPORT_CSS = `
:root { --ok: #17663a; --ok-bg: #e5f4ea; --ko: #a32020; --ko-bg: #fbe9e9; --muted: #5b6470; --line: #d4d9df; --ink: #1c2530; }
* { box-sizing: border-box; }
html { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
body { font-family: "Segoe UI", "Helvetica Neue", Arial, "DejaVu Sans", sans-serif; color: var(--ink); margin: 0; font-size: 10.5pt; line-height: 1.4; background: #fff; }
main { max-width: 190mm; margin: 0 auto; padding: 10mm 0; }
h1 { font-size: 19pt; margin: 0 0 2mm; }
h2 { font-size: 15pt; margin: 0 0 3mm; padding-bottom: 1.5mm; border-bottom: 2px solid var(--ink); }
h3 { font-size: 12pt; margin: 5mm 0 1.5mm; }
p { margin: 1.5mm 0; }
.subtitle { color: var(--muted); margin-bottom: 5mm; }
.facts { display: grid; grid-template-columns: max-content 1fr; gap: 1mm 6mm; margin: 4mm 0; }
.facts dt { color: var(--muted); }
.facts dd { margin: 0; font-weight: 600; }
.banner { border-radius: 2mm; padding: 3mm 4mm; margin: 4mm 0; border: 1px solid; }
.banner.ok { background: var(--ok-bg); border-color: var(--ok); color: var(--ok); }
.banner.ko { background: var(--ko-bg); border-color: var(--ko); color: var(--ko); }
.banner strong { font-size: 11.5pt; }
table { border-collapse: collapse; width: 100%; margin: 2mm 0 3mm; }
th, td { border-bottom: 1px solid var(--line); padding: 1.4mm 1.6mm; text-align: left; vertical-align: middle; }
th { font-size: 9pt; color: var(--muted); font-weight: 600; border-bottom: 1.5px solid var(--ink); }
table.indicators { table-layout: fixed; }
table.indicators td { overflow: hidden; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
.counts { font-size: 8pt; color: var(--muted); display: block; white-space: normal; line-height: 1.2; }
.met { color: var(--ok); font-weight: 700; }
.unmet { color: var(--ko); font-weight: 700; }
.na { color: var(--muted); }
.pill { display: inline-block; border-radius: 1mm; padding: 0.3mm 1.6mm; font-size: 9pt; font-weight: 700; white-space: nowrap; }
.pill.met { background: var(--ok-bg); }
.pill.unmet { background: var(--ko-bg); }
.organisation { break-before: page; page-break-before: always; }
.essms { break-inside: avoid; page-break-inside: avoid; border: 1px solid var(--line); border-radius: 2mm; padding: 3mm 4mm; margin: 4mm 0; }
.essms h3 { margin-top: 0; }
.meta { color: var(--muted); font-size: 9.5pt; }
.va { border-left: 4px solid; padding: 1.5mm 3mm; margin-top: 2mm; }
.va.met { border-color: var(--ok); background: var(--ok-bg); }
.va.unmet { border-color: var(--ko); background: var(--ko-bg); }
.va ul { margin: 1mm 0 0 4mm; padding: 0; font-weight: 400; color: var(--ink); }
.trend { display: block; width: 100%; max-width: 110px; height: auto; }
.trend-line { fill: none; stroke: #2b5797; stroke-width: 1.6; }
.trend-target { stroke: var(--muted); stroke-width: 0.8; stroke-dasharray: 3 2; }
.trend-dot { fill: var(--ko); }
.trend-dot.met { fill: var(--ok); }
.trend-none { color: var(--muted); font-size: 8.5pt; }
.evidence { break-before: page; page-break-before: always; }
.digest { font-family: "DejaVu Sans Mono", Consolas, monospace; font-size: 8pt; word-break: break-all; }
.small { font-size: 8.5pt; color: var(--muted); }
.findings li.error { color: var(--ko); }
footer { margin-top: 8mm; font-size: 8.5pt; color: var(--muted); border-top: 1px solid var(--line); padding-top: 2mm; }
@page { size: A4; margin: 14mm 12mm; }
@media print { main { padding: 0; max-width: none; } .essms { border-color: #bbb; } }
`;
