import { computeIndicatorsSync } from '../engine.js';
import type { Computation } from '../finalize.js';
import type { RateIndicatorId } from '../indicators/registry.js';
import type { EngineOptions } from '../options.js';
import type { DataQualityFinding, EstablishmentResult } from '../results.js';
import { FINESS, organisation, patient, sejour } from './builders.js';

/** The measurement date most tests use: P = 2024-01-01 … 2024-03-31. */
export const D = '2024-04-01';

/** Computes through the public synchronous entry point, with D as the default measurement date. */
export function compute(resources: readonly unknown[], options: Partial<EngineOptions> = {}): Computation {
  return computeIndicatorsSync(resources, { measureDate: D, ...options });
}

/** The result of one ESSMS; fails the test (throws) when it is not reported. */
export function establishment(computation: Computation, finess: string): EstablishmentResult {
  const found = computation.results.establishments.find((e) => e.finess === finess);
  if (found === undefined) {
    const reported = computation.results.establishments.map((e) => e.finess).join(', ');
    throw new Error(`ESSMS ${finess} is not reported (reported: ${reported || 'none'})`);
  }
  return found;
}

/** Numerator and denominator of one rate indicator, as a compact pair for assertions. */
export function counts(computation: Computation, finess: string, id: RateIndicatorId): [number, number] {
  const r = establishment(computation, finess).indicators[id];
  return [r.numerator, r.denominator];
}

/** Findings of one code, errors and warnings together. */
export function findings(computation: Computation, code: DataQualityFinding['code']): DataQualityFinding[] {
  const { errors, warnings } = computation.results.dataQuality;
  return [...errors, ...warnings].filter((f) => f.code === code);
}

export function errorCodes(computation: Computation): string[] {
  return computation.results.dataQuality.errors.map((e) => e.code);
}

export function warningCodes(computation: Computation): string[] {
  return computation.results.dataQuality.warnings.map((w) => w.code);
}

/** An ESSMS Organization with a FINESS géographique (Paris by default). */
export function essms(
  id = 'essms',
  finess: string = FINESS.paris,
  extra: { partOf?: string } = {},
): Record<string, unknown> {
  return organisation({ id, finess, type: 'FINEG', ...extra });
}

/**
 * A person accompanied by `org` over the whole of P (séjour from 2023-06-01, still open), whose dossier
 * was updated in P unless `updated` is false.
 */
export function accompaniedPerson(
  id: string,
  org = 'essms',
  options: { updated?: boolean; ins?: string; sejourId?: string } = {},
): Record<string, unknown>[] {
  return [
    patient({
      id,
      ...(options.ins === undefined ? {} : { ins: options.ins }),
      ...(options.updated === false ? {} : { lastUpdated: '2024-02-15T10:00:00+01:00' }),
    }),
    sejour({ id: options.sejourId ?? `sej-${id}-${org}`, patient: id, org, start: '2023-06-01' }),
  ];
}

/** `accompanied` persons at `org`, of whom the first `active` have an update in P. */
export function population(
  accompanied: number,
  active: number,
  org = 'essms',
  prefix = org,
): Record<string, unknown>[] {
  const records: Record<string, unknown>[] = [];
  for (let i = 0; i < accompanied; i++)
    records.push(...accompaniedPerson(`${prefix}-${i}`, org, { updated: i < active }));
  return records;
}
