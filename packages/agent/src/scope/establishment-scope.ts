import { rollUpOrganisation, type DataQualityCode } from '@esms-numerique/sdk';
import type { AgentConfig } from '../config/agent-config-schema.js';
import type { OrganisationResultLike, ResultsLike } from '../evidence/recompute.js';
import { isRecord } from '../shared/is-record.js';

/**
 * The ESSMS an agent reports for (contract.md §4 "Scope"): the FINESS géographiques its config lists, or
 * `null` for every ESSMS of the data. One notion, applied in one place (`applyScope`), to what is
 * computed, sealed, submitted, verified, reported and exported: the runner scopes a computation before
 * sealing it, and `esms verify` scopes its recomputation with the scope sealed in the run, so both sides
 * compare the same thing.
 */
export type EstablishmentScope = readonly string[] | null;

/** The data-quality warning naming an ESSMS present in the data but not configured (once per ESSMS). */
export const NOT_CONFIGURED_WARNING: DataQualityCode = 'establishment-not-configured';

/**
 * The data-quality error naming an ESSMS the config lists that the data holds nothing about: it has no
 * figures, so its Vérification d'Aptitude cannot be established (a wrong FINESS in the config, or a DUI
 * that does not hold it). An error, not a warning: the signatory must not read "1 ESSMS sur 1".
 */
export const ABSENT_ERROR: DataQualityCode = 'establishment-absent';

export function scopeFromConfig(config: Pick<AgentConfig, 'establishments'>): EstablishmentScope {
  const finess = config.establishments.map((e) => e.finess);
  return finess.length === 0 ? null : [...finess].sort();
}

/** A computation (results and subject lists) narrowed to a scope. */
export interface ScopedComputation<R extends ResultsLike, S> {
  results: R;
  subjects: S;
  /** ESSMS of the data left out (sorted), each named by a `establishment-not-configured` warning. */
  notConfigured: string[];
  /** ESSMS of the scope with nothing in the data (sorted), each named by an `establishment-absent` error. */
  absent: string[];
}

/**
 * Keeps the ESSMS of `scope` (everything when `null`): their figures, their subject lists, and their
 * organismes gestionnaires' roll-ups over the kept ESSMS only (an organisation with ESSMS out of scope
 * gets its sums again over the others; one with none in scope is dropped). Each ESSMS left out is named
 * once in `dataQuality.warnings`; each ESSMS of the scope with nothing in the data, once in
 * `dataQuality.errors`. Deterministic: the same computation and scope give the same document.
 */
export function applyScope<R extends ResultsLike, S>(
  computation: { results: R; subjects: S },
  scope: EstablishmentScope,
): ScopedComputation<R, S> {
  const { results, subjects } = computation;
  if (scope === null) return { results, subjects, notConfigured: [], absent: [] };
  const wanted = new Set(scope);
  const kept = results.establishments.filter((e) => wanted.has(e.finess));
  const notConfigured = results.establishments
    .map((e) => e.finess)
    .filter((f) => !wanted.has(f))
    .sort();
  const present = new Set(results.establishments.map((e) => e.finess));
  const absent = [...wanted].filter((f) => !present.has(f)).sort();
  const organisations: OrganisationResultLike[] = [];
  for (const organisation of results.organisations) {
    const members = kept.filter((e) => organisation.establishments.includes(e.finess));
    if (members.length === 0) continue;
    organisations.push(
      // The SDK's own roll-up rule, over the members in scope.
      members.length === organisation.establishments.length
        ? organisation
        : rollUpOrganisation(organisation, members),
    );
  }
  const warnings = [
    ...results.dataQuality.warnings,
    ...notConfigured.map((finess) => ({
      code: NOT_CONFIGURED_WARNING,
      finess,
      message:
        `ESSMS ${finess} is in the data but not in the config's establishments: ` +
        'its figures are neither sealed nor submitted',
    })),
  ].sort(compareFindings);
  // Kept once: a document scoped twice (the report narrows a sealed, already scoped run) says it once.
  const named = new Set(
    results.dataQuality.errors.filter((f) => codeOf(f) === ABSENT_ERROR).map((f) => finessOf(f)),
  );
  const errors = [
    ...results.dataQuality.errors,
    ...absent
      .filter((finess) => !named.has(finess))
      .map((finess) => ({
        code: ABSENT_ERROR,
        finess,
        message:
          `ESSMS ${finess} is in the config's establishments but not in the data (no séjour, or a wrong ` +
          'FINESS): it has no figures, and its Vérification d’Aptitude cannot be established',
      })),
  ].sort(compareFindings);
  // Same shape as `results` (fewer ESSMS and organisations, one more kind of warning).
  const scoped = {
    ...results,
    establishments: kept,
    organisations,
    dataQuality: { errors, warnings },
  } as R;
  return {
    results: scoped,
    // Subject lists are one list per ESSMS (sealed JSON is read as unknown, hence the check).
    subjects: Array.isArray(subjects)
      ? ((subjects as unknown[]).filter((s) => wanted.has(finessOf(s) ?? '')) as S)
      : subjects,
    notConfigured,
    absent,
  };
}

function codeOf(value: unknown): unknown {
  return typeof value === 'object' && value !== null ? (value as { code?: unknown }).code : undefined;
}

function finessOf(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const finess = (value as { finess?: unknown }).finess;
  return typeof finess === 'string' ? finess : undefined;
}

/** The SDK's order of findings: by code, then record type, id (or FINESS) and message. */
function compareFindings(a: unknown, b: unknown): number {
  const key = (f: unknown): string[] => {
    const r = isRecord(f) ? f : {};
    const s = (v: unknown): string => (typeof v === 'string' ? v : '');
    return [s(r['code']), s(r['resourceType']), s(r['id']) || s(r['finess']), s(r['message'])];
  };
  const ka = key(a);
  const kb = key(b);
  for (let i = 0; i < ka.length; i += 1) {
    const x = ka[i] ?? '';
    const y = kb[i] ?? '';
    if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
}
