import { BASELINE_INDICATOR_IDS, type BaselineCounts, type BaselineResult } from './duckdb-baseline.js';

/** One establishment × indicator where the engine and the DuckDB baseline disagree. */
export interface Mismatch {
  finess: string;
  indicator: string;
  engine: BaselineCounts | null;
  duckdb: BaselineCounts | null;
}

function countsOf(value: unknown): BaselineCounts | null {
  if (typeof value !== 'object' || value === null) return null;
  const { numerator, denominator } = value as { numerator?: unknown; denominator?: unknown };
  return typeof numerator === 'number' && typeof denominator === 'number' ? { numerator, denominator } : null;
}

/**
 * Compares the numerators and denominators of the five indicators, establishment by establishment, between
 * the engine's results document (contract.md §2, parsed JSON) and the DuckDB baseline. An establishment
 * present on one side only is a mismatch for every indicator.
 */
export function compareWithBaseline(engineDocument: unknown, baseline: BaselineResult): Mismatch[] {
  const engine = new Map<string, Record<string, unknown>>();
  const establishments = (engineDocument as { establishments?: unknown } | null)?.establishments;
  if (Array.isArray(establishments)) {
    for (const item of establishments as { finess?: unknown; indicators?: unknown }[]) {
      if (typeof item.finess === 'string')
        engine.set(item.finess, (item.indicators ?? {}) as Record<string, unknown>);
    }
  }
  const duck = new Map(baseline.establishments.map((e) => [e.finess, e.indicators]));
  const mismatches: Mismatch[] = [];
  for (const finess of [...new Set([...engine.keys(), ...duck.keys()])].sort()) {
    for (const indicator of BASELINE_INDICATOR_IDS) {
      const fromEngine = engine.has(finess) ? countsOf(engine.get(finess)?.[indicator]) : null;
      const fromDuck = duck.get(finess)?.[indicator] ?? null;
      const same =
        fromEngine !== null &&
        fromDuck !== null &&
        fromEngine.numerator === fromDuck.numerator &&
        fromEngine.denominator === fromDuck.denominator;
      if (!same) mismatches.push({ finess, indicator, engine: fromEngine, duckdb: fromDuck });
    }
  }
  return mismatches;
}

/** A plain-text table of mismatches (`numerator/denominator` per side). */
export function formatMismatchTable(mismatches: readonly Mismatch[]): string {
  const show = (c: BaselineCounts | null): string =>
    c === null ? 'absent' : `${c.numerator}/${c.denominator}`;
  const rows = [
    ['FINESS', 'indicator', 'engine n/d', 'duckdb n/d'],
    ...mismatches.map((m) => [m.finess, m.indicator, show(m.engine), show(m.duckdb)]),
  ];
  const widths = [0, 1, 2, 3].map((i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows.map((r) => r.map((cell, i) => cell.padEnd(widths[i] ?? 0)).join('  ')).join('\n');
}
