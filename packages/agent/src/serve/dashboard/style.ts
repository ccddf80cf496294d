/**
 * The dashboard's one stylesheet, served from the service itself (`/tableau-de-bord/style.css`): system
 * fonts, contrasts above WCAG AA (text #1b1b1b on white, links #0b4f9c), a visible focus ring, tables
 * that scroll inside their box on a small laptop screen rather than the page.
 */
export const DASHBOARD_CSS = `
:root { color-scheme: light; --ink: #1b1b1b; --muted: #4a4a4a; --link: #0b4f9c; --ok: #14632f; --ko: #a3140f; --rule: #c9c9c9; }
* { box-sizing: border-box; }
body { margin: 0; font: 16px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif; color: var(--ink); background: #fff; }
header, main, footer { max-width: 72rem; margin: 0 auto; padding: 0.75rem 1rem; }
header { border-bottom: 2px solid var(--ink); }
h1 { font-size: 1.5rem; margin: 0.25rem 0; }
h2 { font-size: 1.2rem; margin: 1.5rem 0 0.25rem; }
a { color: var(--link); }
a:focus-visible, button:focus-visible, input:focus-visible { outline: 3px solid #e0a100; outline-offset: 2px; }
.skip { position: absolute; left: -999px; }
.skip:focus { left: 1rem; top: 0.5rem; background: #fff; padding: 0.25rem 0.5rem; }
.facts { display: flex; flex-wrap: wrap; gap: 0.5rem 2rem; margin: 0.5rem 0; padding: 0; list-style: none; }
.facts li { margin: 0; }
.table-box { overflow-x: auto; }
table { border-collapse: collapse; width: 100%; margin: 0.5rem 0 1rem; }
caption { text-align: left; font-weight: 600; padding: 0.25rem 0; }
th, td { border-bottom: 1px solid var(--rule); padding: 0.35rem 0.5rem; text-align: left; vertical-align: middle; }
th[scope="col"] { border-bottom: 2px solid var(--ink); }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
.met { color: var(--ok); font-weight: 600; }
.not-met { color: var(--ko); font-weight: 600; }
.muted { color: var(--muted); }
.goal { font-size: 1.1rem; font-weight: 600; }
svg.trend { display: block; }
svg.trend .target { stroke: var(--muted); stroke-dasharray: 4 3; stroke-width: 1; }
svg.trend .line { fill: none; stroke: var(--link); stroke-width: 2; }
svg.trend .point { fill: var(--ko); }
svg.trend .point.met { fill: var(--ok); }
form.login { max-width: 26rem; }
label { display: block; font-weight: 600; margin: 0.75rem 0 0.25rem; }
input[type="password"] { width: 100%; font: inherit; padding: 0.4rem; border: 2px solid var(--ink); }
button { font: inherit; margin-top: 0.75rem; padding: 0.4rem 1rem; border: 2px solid var(--ink); background: var(--ink); color: #fff; cursor: pointer; }
.error { color: var(--ko); font-weight: 600; }
code { font-size: 0.95em; }
@media (max-width: 40rem) { body { font-size: 15px; } th, td { padding: 0.3rem; } }
`;
