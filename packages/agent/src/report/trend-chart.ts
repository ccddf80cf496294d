import { frenchDate, frenchPercent, html } from './format.js';
import type { Html } from './format.js';

export interface TrendPoint {
  measureDate: string;
  rate: number | null;
}

const WIDTH_PX = 110;
const HEIGHT_PX = 40;
const PAD_PX = 4;

/**
 * A small inline SVG line of an indicator's rate across measure dates, with its target as a dashed line.
 * Static (no script, no external resource), so it prints and works offline. A missing rate (no
 * denominator) leaves a gap. The same figures are given as text for screen readers and for print.
 */
export function trendChart(points: readonly TrendPoint[], target: number): Html {
  const known = points.filter((p): p is TrendPoint & { rate: number } => p.rate !== null);
  if (points.length < 2 || known.length === 0) {
    return html`<span class="trend-none">${points.length < 2 ? 'Première mesure' : 'Pas de taux'}</span>`;
  }
  const top = Math.max(100, target, ...known.map((p) => p.rate));
  const x = (index: number): number => PAD_PX + (index * (WIDTH_PX - 2 * PAD_PX)) / (points.length - 1);
  const y = (rate: number): number => HEIGHT_PX - PAD_PX - (rate / top) * (HEIGHT_PX - 2 * PAD_PX);
  const segments: string[] = [];
  let current: string[] = [];
  points.forEach((point, index) => {
    if (point.rate === null) {
      if (current.length > 0) segments.push(current.join(' '));
      current = [];
    } else current.push(`${x(index).toFixed(1)},${y(point.rate).toFixed(1)}`);
  });
  if (current.length > 0) segments.push(current.join(' '));
  const description = points
    .map((p) => `${frenchDate(p.measureDate)} : ${frenchPercent(p.rate)}`)
    .join(' ; ');
  const targetY = y(target).toFixed(1);
  return html`<svg
      class="trend"
      role="img"
      width="${WIDTH_PX}"
      height="${HEIGHT_PX}"
      viewBox="0 0 ${WIDTH_PX} ${HEIGHT_PX}"
      xmlns="http://www.w3.org/2000/svg"
    >
      <title>${`Évolution : ${description}`}</title>
      <line x1="${PAD_PX}" x2="${WIDTH_PX - PAD_PX}" y1="${targetY}" y2="${targetY}" class="trend-target" />
      ${segments.map((segment) => html`<polyline points="${segment}" class="trend-line" />`)}${points.map(
        (point, index) =>
          point.rate === null
            ? ''
            : html`<circle
                cx="${x(index).toFixed(1)}"
                cy="${y(point.rate).toFixed(1)}"
                r="2.2"
                class="${point.rate >= target ? 'trend-dot met' : 'trend-dot'}"
              />`,
      )}</svg
    ><span class="counts"
      >${`${shortDate(points[0]?.measureDate)} → ${shortDate(points.at(-1)?.measureDate)}`}</span
    >`;
}

/** `2024-04-01` → `04/2024` (measure dates are usually the 1st of a month). */
function shortDate(date: string | undefined): string {
  if (date === undefined) return '';
  const full = frenchDate(date);
  return date.endsWith('-01') ? full.slice(3) : full;
}
