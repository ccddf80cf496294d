/** Escapes text for HTML content and attribute values. Every dynamic string goes through this. */
export function escapeHtml(value: unknown): string {
  return String(value)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/** Tagged template that escapes every interpolation unless it is already {@link Html}. */
export class Html {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

export function html(strings: TemplateStringsArray, ...values: unknown[]): Html {
  let out = strings[0] ?? '';
  values.forEach((value, index) => {
    out += render(value) + (strings[index + 1] ?? '');
  });
  return new Html(out);
}

function render(value: unknown): string {
  if (value instanceof Html) return value.value;
  if (Array.isArray(value)) return value.map(render).join('');
  if (value === null || value === undefined || value === false) return '';
  return escapeHtml(value);
}

const NARROW_NBSP = '\u202f';

/** `2024-03-31` → `31/03/2024`; anything else is returned as is (escaped later). */
export function frenchDate(date: string): string {
  const match = /^(\d{4})-(\d{2})-(\d{2})/.exec(date);
  return match === null ? date : `${match[3]}/${match[2]}/${match[1]}`;
}

/** ISO instant → `01/04/2024 à 05:00 UTC` (UTC: the report must not depend on the machine's zone). */
export function frenchInstant(iso: string): string {
  const match = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})/.exec(iso);
  return match === null ? iso : `${match[3]}/${match[2]}/${match[1]} à ${match[4]}:${match[5]} UTC`;
}

/** 86.4 → `86,4 %`; `null` → `—`. */
export function frenchPercent(rate: number | null): string {
  if (rate === null) return '—';
  return `${rate.toFixed(1).replace('.', ',')}${NARROW_NBSP}%`;
}

/** 12345 → `12 345`. */
export function frenchInteger(value: number): string {
  return String(value).replace(/\B(?=(\d{3})+(?!\d))/g, NARROW_NBSP);
}
