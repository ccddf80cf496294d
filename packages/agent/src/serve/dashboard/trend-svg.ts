import { html, type Html } from '../../report/format.js';
import { frenchPercent, frenchTarget } from '../../report/french/typography.js';

export interface TrendPoint {
  measureDate: string;
  rate: number | null;
  met: boolean;
}

const WIDTH = 160;
const HEIGHT = 40;
const PAD = 4;

/**
 * An inline SVG trend of one indicator across sealed runs, with the target as a dashed line. Decorative
 * for screen readers only in part: its `aria-label` says every value, so nothing is conveyed by the
 * drawing alone. Rates above 100 % (MSSanté counts messages) are drawn at the top.
 */
export function trendSvg(points: readonly TrendPoint[], target: number, label: string): Html {
  const max = Math.max(100, target);
  const x = (i: number): number =>
    points.length <= 1 ? WIDTH / 2 : PAD + (i * (WIDTH - 2 * PAD)) / (points.length - 1);
  const y = (rate: number): number => HEIGHT - PAD - (Math.min(rate, max) * (HEIGHT - 2 * PAD)) / max;
  const drawn = points
    .map((p, i) => (p.rate === null ? null : { x: x(i), y: y(p.rate), p }))
    .filter((p): p is { x: number; y: number; p: TrendPoint } => p !== null);
  const said = points.map((p) => `${p.measureDate} : ${frenchPercent(p.rate)}`).join(', ');
  const path = drawn.map((d, i) => `${i === 0 ? 'M' : 'L'}${d.x.toFixed(1)} ${d.y.toFixed(1)}`).join(' ');
  return html`<svg
    class="trend"
    role="img"
    width="${WIDTH}"
    height="${HEIGHT}"
    viewBox="0 0 ${WIDTH} ${HEIGHT}"
    aria-label="${`${label} : ${said} ; cible ${frenchTarget(target)}`}"
  >
    <line
      class="target"
      x1="0"
      x2="${WIDTH}"
      y1="${y(target).toFixed(1)}"
      y2="${y(target).toFixed(1)}"
    ></line>
    ${path === '' ? '' : html`<path class="line" d="${path}"></path>`}
    ${drawn.map(
      (d) =>
        html`<circle
          class="${d.p.met ? 'point met' : 'point'}"
          cx="${d.x.toFixed(1)}"
          cy="${d.y.toFixed(1)}"
          r="3"
          ><title>${d.p.measureDate} : ${frenchPercent(d.p.rate)}</title></circle
        >`,
    )}
  </svg>`;
}
